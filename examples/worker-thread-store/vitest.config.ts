import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two busy cores: generous bounds. No test asserts how long anything took.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
