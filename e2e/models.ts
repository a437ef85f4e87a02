/** The test models (built by tools/build-test-models.ts in the e2e global setup) by hub id. */
import path from 'node:path';

export const TEST_MODELS = path.resolve('test-models');
export const HUB_MODELS: Record<string, string> = {
  'test/tiny-llama': path.join(TEST_MODELS, 'tiny-llama'),
  'test/tiny-gpt2': path.join(TEST_MODELS, 'tiny-gpt2'),
};
