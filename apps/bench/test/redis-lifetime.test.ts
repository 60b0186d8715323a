import { ensureRedisInstalled, rawCommand, startRedisServer } from '@statewire/test-redis-server';
import { describe, expect, it } from 'vitest';

async function answers(port: number): Promise<boolean> {
  try {
    return (await rawCommand(port, ['PING'], 500)) === 'PONG';
  } catch {
    return false;
  }
}

// Issue 13: the bench's throwaway redis-server died at the tests' fixed 900 s lifetime in the
// middle of every full run; the lifetime is now the caller's to choose.
describe('startRedisServer({ lifetimeSeconds })', () => {
  it('startRedisServer() lets the watchdog end the server after lifetimeSeconds', async () => {
    ensureRedisInstalled();
    const server = await startRedisServer({ lifetimeSeconds: 2 });
    try {
      expect(await answers(server.port)).toBe(true);
      // Bounded: under the old fixed lifetime the server would still answer at the end.
      let alive = true;
      for (let i = 0; i < 240 && alive; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        alive = await answers(server.port);
      }
      expect(alive).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
