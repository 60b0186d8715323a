import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tsc runs and child processes on two busy cores: generous bounds. No test asserts
    // how long anything took.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
