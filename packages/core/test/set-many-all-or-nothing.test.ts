import { describe, expect, it } from 'vitest';
import { createMemoryStore, type Store } from '../src/index.js';
import { serveLoopback } from '../src/testing.js';
import { rejectsWith } from './helpers.js';

// Issue 12, item 5: a setMany with one entry over the holder's maxBytes applies nothing, on
// the memory store and through a host (every IPC host dispatches the same way).

const MAX_BYTES = 1000;

function checkAllOrNothing(open: () => { store: Store; close: () => void }) {
  for (const position of ['first', 'middle', 'last'] as const) {
    it(`one entry over maxBytes (${position}) rejects TOO_LARGE and applies nothing`, async () => {
      const { store, close } = open();
      try {
        await store.set('existing', 'old');
        const big = { key: 'big', value: 'x'.repeat(MAX_BYTES) };
        const small = [
          { key: 'existing', value: 'new' },
          { key: 'fresh', value: 1 },
          { key: 'timed', value: 2, ttl: 60_000 },
        ];
        const at = { first: 0, middle: 1, last: small.length }[position];
        const entries = [...small.slice(0, at), big, ...small.slice(at)];
        await rejectsWith(store.setMany(entries), 'TOO_LARGE');
        expect(await store.getMany(['existing', 'fresh', 'timed', 'big'])).toStrictEqual([
          'old',
          undefined,
          undefined,
          undefined,
        ]);
        // The store keeps working, and the same entries without the big one apply.
        await store.setMany(small);
        expect(await store.getMany(['existing', 'fresh', 'timed'])).toStrictEqual(['new', 1, 2]);
      } finally {
        await store.close();
        close();
      }
    });
  }
}

describe('setMany() over maxBytes on the memory store (issue 12 item 5)', () => {
  checkAllOrNothing(() => ({
    store: createMemoryStore({ maxBytes: MAX_BYTES }),
    close: () => {},
  }));
});

describe('setMany() over maxBytes through a host (issue 12 item 5)', () => {
  checkAllOrNothing(() => {
    const host = serveLoopback({ maxBytes: MAX_BYTES });
    return { store: host.connect(), close: () => host.close() };
  });
});
