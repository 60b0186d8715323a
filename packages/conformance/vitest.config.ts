import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The broken stores in test/fixtures are run only by test/broken-stores.test.ts, in a
    // child vitest with test/fixtures/vitest.config.ts.
    include: ['test/**/*.test.ts'],
    exclude: ['test/fixtures/**', '**/node_modules/**'],
    // Two busy cores: generous bounds. No test asserts how long anything took.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
