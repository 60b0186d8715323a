import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  ensureRedisInstalled,
  type RedisServer,
  startRedisServer,
} from '@statewire/test-redis-server';
import type { TestProject } from 'vitest/node';

/**
 * Builds dist/ (incrementally) and starts a redis-server on a free port (unless REDIS_URL
 * points at one), handing its URL to the tests; stops it afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  const built = spawnSync(process.execPath, [tsc, '-b'], { cwd, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tsc -b failed in ${cwd} (exit ${built.status})`);

  let server: RedisServer | undefined;
  let url = process.env.REDIS_URL;
  if (!url) {
    ensureRedisInstalled();
    server = await startRedisServer();
    url = server.url;
  }
  project.provide('redisUrl', url);
  return async () => {
    await server?.stop();
  };
}
