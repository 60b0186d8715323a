import type { TestProject } from 'vitest/node';
import { buildPackage } from './build-package.js';
import { startStandaloneRedis } from './standalone-redis.js';

/**
 * A vitest `globalSetup` for a package whose tests use a redis-server: builds the package's
 * `dist/` (which its child processes import), starts a redis-server on a free port unless
 * REDIS_URL points at one, and hands its URL to the tests as `inject('redisUrl')`. Returns
 * the teardown that stops the server.
 *
 * @throws Error when the build fails or no redis-server can be had.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildPackage(project.config.root);
  const redis = await startStandaloneRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
