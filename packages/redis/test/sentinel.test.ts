/** Sentinel through ioredis options: the store finds the master by name. */

import { startRedisServer } from '@statewire/test-redis-server';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { track, uniqueNamespace } from './support/stores.js';

describe('redis Sentinel', () => {
  it('a store configured with sentinels and a master name works', async () => {
    const master = await startRedisServer();
    const sentinel = await startRedisServer({ sentinelOf: master.port });
    try {
      const store = track(
        createRedisStore({
          redisOptions: {
            sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
            name: 'mymaster',
          },
          namespace: uniqueNamespace(),
        }),
      );
      await store.set('k', { via: 'sentinel' });
      expect(await store.get('k')).toEqual({ via: 'sentinel' });
      expect(await store.increment('n')).toBe(1);
      await store.close();
    } finally {
      await sentinel.stop();
      await master.stop();
    }
  });
});
