import { describe, expect, it } from 'vitest';
import { createMemoryStore, StateError } from '../src/index.js';
import { serveLoopback } from '../src/testing.js';

// A bounded holder makes room for a write by evicting the least recently used entries. A
// commit or setMany() larger than the holder would evict its own first writes and still
// report success: it is refused whole instead.
describe('writes of one call fit a bounded holder together, or none is applied', () => {
  const stores = {
    'memory store': async (options: { maxEntries?: number; maxBytes?: number }) => ({
      store: createMemoryStore(options),
      close: async () => {},
    }),
    'a host (loopback)': async (options: { maxEntries?: number; maxBytes?: number }) => {
      const host = serveLoopback(options);
      return { store: await host.connect(), close: async () => host.close() };
    },
  };
  for (const [name, open] of Object.entries(stores)) {
    it(`${name}: a commit or setMany() of more entries than maxEntries rejects TOO_LARGE and applies nothing`, async () => {
      const { store, close } = await open({ maxEntries: 2 });
      await store.set('old', 1);
      const commit = store.atomic().set('a', 1).set('b', 2).set('c', 3).commit();
      const error = await commit.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StateError.is(error, 'TOO_LARGE')).toBe(true);
      const many = store.setMany(['a', 'b', 'c'].map((key) => ({ key, value: 1 })));
      await expect(many).rejects.toMatchObject({ code: 'TOO_LARGE' });
      expect(await store.getMany(['old', 'a', 'b', 'c'])).toEqual([
        1,
        undefined,
        undefined,
        undefined,
      ]);
      // What fits is applied whole, evicting older entries, never its own.
      const result = await store.atomic().set('a', 1).increment('b', 5).commit();
      expect(result.ok).toBe(true);
      expect(await store.getMany(['a', 'b'])).toEqual([1, 5]);
      const versions = result.ok ? result.versions : {};
      expect((await store.getEntry('a'))?.version).toBe(versions.a);
      await store.close();
      await close();
    });

    it(`${name}: a commit whose values together pass maxBytes rejects TOO_LARGE and applies nothing`, async () => {
      const { store, close } = await open({ maxBytes: 300 });
      const value = 'x'.repeat(160);
      const commit = store.atomic().set('x', value).set('y', value).commit();
      await expect(commit).rejects.toMatchObject({ code: 'TOO_LARGE' });
      expect(await store.getMany(['x', 'y'])).toEqual([undefined, undefined]);
      await store.atomic().set('x', value).commit();
      expect(await store.get('x')).toBe(value);
      await store.close();
      await close();
    });
  }
});
