import { buildTestModels } from '../tools/build-test-models.ts';
import { TEST_MODELS } from './models.ts';

export default async function globalSetup(): Promise<void> {
  await buildTestModels(TEST_MODELS);
}
