import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fixture primaries import the built package, so build it first.
    globalSetup: ['test/global-setup.ts'],
    // Real processes on possibly two busy cores: generous bounds, one file at a time.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
