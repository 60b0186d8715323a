/** Sentinel through ioredis options: the store finds the master by name. */

import { startRedisServer } from '@statewire/test-redis-server';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { track, uniqueNamespace } from './support/stores.js';

describe('redis Sentinel', () => {
  it('a store configured with sentinels and a master name works, versions included', async () => {
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
      // Versions and atomic commits go through the same master.
      const entry = await store.getEntry('k');
      expect(entry?.value).toEqual({ via: 'sentinel' });
      await store.set('k', { via: 'cas' }, { ifVersion: entry?.version ?? null });
      const commit = await store.atomic().check('n', null).set('n', 5).commit();
      expect(commit).toEqual({ ok: false, failed: ['n'] });
      expect(await store.getMany(['k', 'n'])).toEqual([{ via: 'cas' }, 1]);
      await store.close();
    } finally {
      await sentinel.stop();
      await master.stop();
    }
  });
});
