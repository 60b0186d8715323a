import { execFile } from 'node:child_process';
import { startRedisServer as startThrowaway } from '@statewire/test-redis-server';

/** A throwaway redis-server on a free loopback port, or why there is none. */
export type RedisServer =
  | { running: true; url: string; version: string; stop(): Promise<void> }
  | { running: false; reason: string };

function version(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('redis-server', ['--version'], (error, stdout) =>
      resolve(error ? undefined : (/v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim())),
    );
  });
}

/**
 * Starts a throwaway redis-server for the Redis rows; when there is none on this machine,
 * says so instead of failing the bench.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const found = await version();
  if (!found) return { running: false, reason: 'redis-server is not installed' };
  try {
    const server = await startThrowaway();
    return { running: true, url: server.url, version: found, stop: () => server.stop() };
  } catch (error) {
    return { running: false, reason: `redis-server did not start: ${(error as Error).message}` };
  }
}
