import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the packages the holder process imports, and starts a redis-server on a free port.
    globalSetup: ['test/support/global-setup.ts'],
    // Real processes and a real server on possibly two busy cores: generous bounds, one file
    // at a time. No test asserts how long anything took.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
