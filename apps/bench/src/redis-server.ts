import { execFile } from 'node:child_process';
import {
  ensureRedisInstalled,
  startRedisServer as startThrowaway,
} from '@statewire/test-redis-server';

/** A throwaway redis-server on a free loopback port, or why there is none. */
export type RedisServer =
  | { running: true; url: string; version: string; pid: number; stop(): Promise<void> }
  | { running: false; reason: string };

/**
 * How long the server's watchdog lets it live. The bench stops it when the run ends (and
 * when the bench process exits); the watchdog only matters if the bench is killed outright,
 * so it is set far beyond any run, instead of the tests' 900 s that used to cut full runs
 * short (issue 13).
 */
const LIFETIME_SECONDS = 6 * 3600;

function version(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('redis-server', ['--version'], (error, stdout) =>
      resolve(error ? undefined : (/v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim())),
    );
  });
}

/**
 * Starts a throwaway redis-server for the Redis rows, installing Debian's redis-server first
 * where it is missing and the machine allows it (root with apt-get), as the tests do. When
 * there is still none, says why instead of failing the bench: the Redis cells then say
 * FAILED with that reason.
 */
export async function startRedisServer(): Promise<RedisServer> {
  try {
    ensureRedisInstalled();
  } catch (error) {
    return { running: false, reason: (error as Error).message };
  }
  const found = await version();
  if (!found) return { running: false, reason: 'redis-server --version failed' };
  try {
    const server = await startThrowaway({ lifetimeSeconds: LIFETIME_SECONDS });
    return {
      running: true,
      url: server.url,
      version: found,
      pid: server.pid(),
      stop: () => server.stop(),
    };
  } catch (error) {
    return { running: false, reason: `redis-server did not start: ${(error as Error).message}` };
  }
}
