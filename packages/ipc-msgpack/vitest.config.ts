import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes (cluster workers, fork children, worker threads) on possibly two busy
    // cores: generous bounds, and no test asserts how long anything took.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
