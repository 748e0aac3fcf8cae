import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test has a deadline; properties get their own, larger ones.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    // Two cores: the suite is I/O-heavy and each file starts its own mock server.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
