/** Builds the test models once per test run (about a second; deterministic, nothing downloaded). */
import { buildTestModels } from '../../tools/build-test-models.ts';
import { TEST_MODELS_DIR } from './testModels.ts';

export default async function setup(): Promise<void> {
  await buildTestModels(TEST_MODELS_DIR);
}
