import { describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec } from '../src/index.js';
import { ScanCursors } from '../src/scan-cursors.js';
import { serveLoopback } from '../src/testing.js';
import { MemoryBackend } from '../src/transport.js';
import { rejectsWith } from './helpers.js';

async function scanAll(
  scan: (cursor: string | undefined) => Promise<{ keys: string[]; cursor: string | undefined }>,
) {
  const keys: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await scan(cursor);
    keys.push(...page.keys);
    cursor = page.cursor;
    pages++;
  } while (cursor !== undefined);
  return { keys, pages };
}

describe('ScanCursors', () => {
  it('take() resumes a position once, and only for its namespace and prefix', () => {
    const cursors = new ScanCursors<number>();
    const a = cursors.open('ns', 'p', 1);
    expect(cursors.take(a, 'other', 'p')).toBeUndefined();
    expect(cursors.take(a, 'ns', 'q')).toBeUndefined();
    expect(cursors.take(a, 'ns', 'p')).toBe(1);
    expect(cursors.take(a, 'ns', 'p')).toBeUndefined();
  });

  it('keeps at most maxOpen scans, forgetting the least recently opened', () => {
    const cursors = new ScanCursors<number>({ maxOpen: 3 });
    const opened = [1, 2, 3, 4, 5].map((n) => cursors.open('', '', n));
    expect(cursors.size).toBe(3);
    expect(cursors.take(opened[0] as string, '', '')).toBeUndefined();
    expect(cursors.take(opened[4] as string, '', '')).toBe(5);
  });

  it('forgets scans idle for longer than idleMs', () => {
    let now = 0;
    const cursors = new ScanCursors<number>({ idleMs: 1000, now: () => now });
    const old = cursors.open('', '', 1);
    now = 600;
    const recent = cursors.open('', '', 2);
    now = 1200;
    expect(cursors.take(old, '', '')).toBeUndefined();
    expect(cursors.take(recent, '', '')).toBe(2);
  });

  it('a cursor of another table (a restarted holder) is unknown', () => {
    const before = new ScanCursors<number>();
    const after = new ScanCursors<number>();
    const cursor = before.open('', '', 1);
    after.open('', '', 2);
    expect(after.take(cursor, '', '')).toBeUndefined();
  });
});

describe('MemoryBackend.scan()', () => {
  it('looks at a bounded number of entries per page however sparse the prefix', () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    for (let i = 0; i < 10_000; i++) backend.set('', `miss${i}`, '1', 0);
    backend.set('', 'hit', '1', 0);
    const [keys, cursor] = backend.scan('', 'hit', '', 10);
    // 10 keys asked for: at most 160 entries looked at, so the first page cannot reach 'hit'.
    expect(keys).toEqual([]);
    expect(typeof cursor).toBe('string');
    backend.close();
  });

  it('a page never holds more than count keys', () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    for (let i = 0; i < 100; i++) backend.set('', `k${i}`, '1', 0);
    const [keys] = backend.scan('', '', '', 7);
    expect(keys).toHaveLength(7);
    backend.close();
  });

  it('an entry added during the walk is visited; one deleted before its turn is not', () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    for (let i = 0; i < 10; i++) backend.set('', `k${i}`, '1', 0);
    const [first, cursor] = backend.scan('', '', '', 5);
    expect(first).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    backend.delete('', 'k7');
    backend.set('', 'late', '1', 0);
    const [rest, done] = backend.scan('', '', cursor as string, 100);
    expect(rest).toEqual(['k5', 'k6', 'k8', 'k9', 'late']);
    expect(done).toBeNull();
    backend.close();
  });
});

describe('Store.scan()', () => {
  it('memory store: every key exactly once in pages, then no cursor', async () => {
    const store = createMemoryStore();
    const written = Array.from({ length: 1000 }, (_, i) => `key${i}`);
    await store.setMany(written.map((key) => ({ key, value: 1 })));
    const { keys, pages } = await scanAll((cursor) => store.scan('', { cursor, count: 100 }));
    expect(keys.sort()).toEqual([...written].sort());
    expect(pages).toBeGreaterThanOrEqual(10);
    await store.close();
  });

  it('loopback: a cursor of one namespace does not resume in another', async () => {
    const host = serveLoopback();
    const a = host.connect({ namespace: 'a' });
    const b = host.connect({ namespace: 'b' });
    await a.setMany(Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: i })));
    await b.set('secret', 1);
    const page = await a.scan('', { count: 5 });
    expect(page.cursor).toBeTypeOf('string');
    await rejectsWith(b.scan('', { cursor: page.cursor }), 'INVALID_VALUE');
    const { keys } = await scanAll((cursor) => a.scan('', { cursor, count: 5 }));
    expect(keys).not.toContain('secret');
    await a.close();
    await b.close();
    host.close();
  });

  it('scanIterator() yields every key of a prefix', async () => {
    const store = createMemoryStore();
    await store.setMany([
      { key: 'u:1', value: 1 },
      { key: 'u:2', value: 2 },
      { key: 'v:1', value: 3 },
    ]);
    const seen: string[] = [];
    for await (const key of store.scanIterator('u:', { count: 1 })) seen.push(key);
    expect(seen.sort()).toEqual(['u:1', 'u:2']);
    await store.close();
  });
});

describe('scan() pages within maxReplyBytes', () => {
  const limits = { maxValueBytes: 32 * 1024, maxReplyBytes: 64 * 1024 };
  const keyOf = (i: number) => `${String(i).padStart(4, '0')}${'k'.repeat(996)}`;

  it('MemoryBackend: a key that would take a page over maxBytes starts the next page; one deleted meanwhile is skipped', () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    for (const key of ['aaaa', 'bbbb', 'cccc', 'dddd']) backend.set('', key, '1', 0);
    const [first, cursor] = backend.scan('', '', '', 10, 9);
    expect(first).toEqual(['aaaa', 'bbbb']);
    backend.delete('', 'cccc');
    const [second, end] = backend.scan('', '', cursor as string, 10, 9);
    expect(second).toEqual(['dddd']);
    expect(end).toBeNull();
    // The first key of a page is taken whatever its length.
    expect(backend.scan('', '', '', 10, 1)[0]).toEqual(['aaaa']);
  });

  for (const [name, open] of [
    ['memory store', async () => ({ store: createMemoryStore(limits), close: async () => {} })],
    [
      'a host (loopback)',
      async () => {
        const host = serveLoopback({
          maxValueBytes: limits.maxValueBytes,
          host: { maxReplyBytes: limits.maxReplyBytes },
        });
        return { store: await host.connect(), close: () => host.close() };
      },
    ],
  ] as const) {
    it(`${name}: 100 keys of 1000 characters at the default count come in pages under the limit, each key once`, async () => {
      const { store, close } = await open();
      await store.setMany(Array.from({ length: 100 }, (_, i) => ({ key: keyOf(i), value: i })));
      const { keys, pages } = await scanAll(async (cursor) => {
        const page = await store.scan('', cursor === undefined ? {} : { cursor });
        expect(page.keys.reduce((sum, key) => sum + key.length, 0)).toBeLessThanOrEqual(
          limits.maxReplyBytes,
        );
        return page;
      });
      expect(keys.sort()).toEqual(Array.from({ length: 100 }, (_, i) => keyOf(i)));
      expect(pages).toBeGreaterThan(1);
      const iterated: string[] = [];
      for await (const key of store.scanIterator('')) iterated.push(key);
      expect(iterated).toHaveLength(100);
      await store.close();
      await close();
    });
  }
});

describe('increment() with ttl', () => {
  it('sets the expiry only when it creates the key', () => {
    let now = 1000;
    const backend = new MemoryBackend({ codec: jsonCodec, now: () => now });
    expect(backend.increment('', 'created', 1, 100)).toBe(1);
    backend.set('', 'existing', '5', 0);
    expect(backend.increment('', 'existing', 1, 100)).toBe(6);
    now += 50;
    expect(backend.increment('', 'created', 1, 100)).toBe(2);
    now += 60;
    // 110 ms after creation: the first ttl holds, the second increment did not extend it.
    expect(backend.has('', 'created')).toBe(false);
    expect(backend.get('', 'existing')).toBe('6');
    backend.close();
  });
});
