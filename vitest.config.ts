import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test file starts its own sandbox and gateway on port 0; two cores do not
    // profit from more than two files at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
