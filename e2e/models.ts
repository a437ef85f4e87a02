/** The test models (built by tools/build-test-models.ts in the e2e global setup) by hub id. */
import path from 'node:path';
import { REPLICAS } from '../tools/modelgen/replicas.ts';

export const TEST_MODELS = path.resolve('test-models');
export const REPLICAS_DIR = path.join(TEST_MODELS, 'replicas');
export const HUB_MODELS: Record<string, string> = {
  'test/tiny-llama': path.join(TEST_MODELS, 'tiny-llama'),
  'test/tiny-gpt2': path.join(TEST_MODELS, 'tiny-gpt2'),
  // Every export replica, and its oracle twin, as replica/<name> and replica/<name>-twin.
  ...Object.fromEntries(REPLICAS.flatMap((r) => [[`replica/${r.name}`, path.join(REPLICAS_DIR, r.name)], [`replica/${r.name}-twin`, path.join(REPLICAS_DIR, `${r.name}-twin`)]])),
};

/** The catalogue ids each replica stands in for (the app's catalogue flow loads them by these ids). */
export const CATALOGUE_REPLICAS: Record<string, string> = Object.fromEntries(REPLICAS.flatMap((r) => r.covers.map((id) => [id, path.join(REPLICAS_DIR, r.name)])));
