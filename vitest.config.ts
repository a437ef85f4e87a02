import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    // Builds the tiny test models (about a second, deterministic) before any test file runs.
    globalSetup: ['src/test/globalSetup.ts'],
  },
});
