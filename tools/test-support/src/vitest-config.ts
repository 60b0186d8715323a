import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The vitest config of a package whose tests run real processes against a redis-server:
 * `test/**\/*.test.ts`, the redis global setup (which builds the package and provides
 * `redisUrl`), forks, one file at a time and generous bounds, because real processes and a
 * real server share possibly two busy cores. No test asserts how long anything took.
 */
export function redisTestConfig(): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      globalSetup: [fileURLToPath(new URL('./redis-global-setup.js', import.meta.url))],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      fileParallelism: false,
    },
  });
}
