import { defineConfig } from 'vitest/config';

// The unit tests that exercise the mutated modules (stryker.config.json), without the slow
// model-loading suites that do not reach them.
export default defineConfig({
  test: {
    include: [
      'src/iprompt/**/*.test.ts',
      'src/share/**/*.test.ts',
      'src/data/**/*.test.ts',
      'src/engine/sampling.test.ts',
      'src/engine/batching.test.ts',
      'src/engine/onnxGraph.test.ts',
      'src/engine/memoryBudget.test.ts',
      'src/engine/tokenizer.test.ts',
      'src/engine/modelConfig.test.ts',
      'src/util/random.test.ts',
    ],
    environment: 'node',
    env: { MUTATION_RUN: '1' },
    testTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['src/test/globalSetup.ts'],
  },
});
