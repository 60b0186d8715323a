import { randomUUID } from 'node:crypto';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createKeyvStore } from '../src/index.js';
import { useTransports } from './support/transports.js';

for (const transport of useTransports()) {
  describe(`cache-manager 7 over the adapter on ${transport.name}`, () => {
    const cacheOn = (base: string) =>
      createCache({
        stores: [
          new Keyv({
            store: createKeyvStore({
              open: (namespace) => transport.open(`${base}/${namespace}`),
              closeOnDisconnect: false,
            }),
          }),
        ],
      });

    it('set(), get(), mget(), ttl() and del() work through Keyv', async () => {
      const cache = cacheOn(randomUUID());
      await cache.set('user:1', { name: 'Ada' }, 60_000);
      expect(await cache.get('user:1')).toEqual({ name: 'Ada' });
      expect(await cache.mget(['user:1', 'user:2'])).toEqual([{ name: 'Ada' }, undefined]);
      expect(await cache.ttl('user:1')).toBeGreaterThan(Date.now());
      expect(await cache.del('user:1')).toBe(true);
      expect(await cache.get('user:1')).toBeUndefined();
    });

    it('two caches on the same stores share entries: wrap() computes once', async () => {
      const base = randomUUID();
      const first = cacheOn(base);
      const second = cacheOn(base);
      let computed = 0;
      const slow = async () => {
        computed += 1;
        return { report: 42 };
      };
      expect(await first.wrap('report', slow, 60_000)).toEqual({ report: 42 });
      expect(await second.wrap('report', slow, 60_000)).toEqual({ report: 42 });
      expect(computed).toBe(1);
      await second.clear();
      expect(await first.get('report')).toBeUndefined();
    });
  });
}
