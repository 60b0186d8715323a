import { ensureRedisInstalled, startRedisServer } from '@statewire/test-redis-server';

/** The Redis the soak run uses: `REDIS_URL`, or a throwaway server it starts and stops. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  try {
    ensureRedisInstalled();
  } catch (error) {
    console.error(`[soak] ${(error as Error).message}`);
    return undefined;
  }
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}
