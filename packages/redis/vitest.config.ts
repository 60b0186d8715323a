import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts redis-server processes (standalone, 3-master Cluster, AOF) on free ports.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Real servers and processes on possibly two busy cores: generous bounds, one file at a
    // time. No test asserts how long anything took.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
