import { ensureRedisInstalled, startRedisServer } from '@statewire/test-redis-server';

/** The standalone redis-server of a test run. */
export interface StandaloneRedis {
  readonly url: string;
  /** Stops the server if this run started it; a server named by REDIS_URL is left alone. */
  stop(): Promise<void>;
}

/**
 * The standalone redis-server a test run uses: the one REDIS_URL points at (CI's service,
 * a developer's own), or else a throwaway one started here on a free port (installing
 * redis-server first where it can).
 *
 * @throws Error when REDIS_URL is unset and redis-server is missing and cannot be installed.
 */
export async function startStandaloneRedis(): Promise<StandaloneRedis> {
  const given = process.env.REDIS_URL;
  if (given) return { url: given, stop: async () => {} };
  ensureRedisInstalled();
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}
