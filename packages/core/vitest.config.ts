import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests: test/**/*.test-d.ts, checked by tsc with the strict test tsconfig.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.test.json',
    },
    // Two busy cores: generous bounds. No test asserts how long anything took.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
