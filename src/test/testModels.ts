/** Paths of the tiny models built by tools/build-test-models.ts (vitest's global setup builds them). */
import path from 'node:path';
import { PROJECT_ROOT } from '../engine/node/nodeModel.ts';

export const TEST_MODELS_DIR = path.join(PROJECT_ROOT, 'test-models');
export const TINY_LLAMA_DIR = path.join(TEST_MODELS_DIR, 'tiny-llama');
export const TINY_GPT2_DIR = path.join(TEST_MODELS_DIR, 'tiny-gpt2');
export const REPLICAS_DIR = path.join(TEST_MODELS_DIR, 'replicas');
