import { describe, expect, it } from 'vitest';
import type { MemoryBackend } from '../src/transport.js';
import { backendFactory, manualClock } from './helpers.js';

// MemoryBackend keeps one map of keys per namespace, a recency list across all of them
// when eviction is on, and a sweep that walks namespaces then keys: these tests cover
// what that structure could get wrong.

const backend = backendFactory();

/** Which of `entries` ([namespace, key]) the backend still has. */
function present(b: MemoryBackend, entries: [string, string][]): string[] {
  return entries.filter(([ns, key]) => b.has(ns, key)).map(([ns, key]) => `${ns}/${key}`);
}

describe('MemoryBackend eviction across namespaces', () => {
  it('evicts the least recently used entry of any namespace', () => {
    const b = backend({ maxEntries: 4 });
    b.set('a', '1', '1', 0);
    b.set('b', '1', '1', 0);
    b.set('a', '2', '1', 0);
    b.set('b', '2', '1', 0);
    // Recency, oldest first: a/1 b/1 a/2 b/2; get() makes a/1 the newest.
    expect(b.get('a', '1')).toBe('1');
    b.set('b', '3', '1', 0);
    expect(present(b, [['b', '1']])).toEqual([]);
    b.set('a', '3', '1', 0);
    expect(present(b, [['a', '2']])).toEqual([]);
    b.set('c', '1', '1', 0);
    expect(present(b, [['b', '2']])).toEqual([]);
    expect(b.keys('a', '').sort()).toEqual(['1', '3']);
    expect(b.keys('b', '')).toEqual(['3']);
    expect(b.keys('c', '')).toEqual(['1']);
    expect(b.stats()).toMatchObject({ entries: 4, evictions: 3 });
  });

  it('keeps the same key in two namespaces as two entries with their own recency', () => {
    const b = backend({ maxEntries: 2 });
    b.set('a', 'k', '"a"', 0);
    b.set('b', 'k', '"b"', 0);
    expect(b.get('a', 'k')).toBe('"a"');
    b.set('c', 'k', '"c"', 0);
    expect(b.get('a', 'k')).toBe('"a"');
    expect(b.has('b', 'k')).toBe(false);
    expect(b.get('c', 'k')).toBe('"c"');
  });

  it('set() and increment() touch; has() and a refused setIfAbsent() do not', () => {
    const b = backend({ maxEntries: 3 });
    b.set('a', 'set', '1', 0);
    b.set('b', 'incremented', '1', 0);
    b.set('a', 'checked', '1', 0);
    b.set('a', 'set', '2', 0);
    b.increment('b', 'incremented', 1);
    // Recency, oldest first: a/checked a/set b/incremented.
    expect(b.has('a', 'checked')).toBe(true);
    expect(b.setIfAbsent('a', 'checked', '9', 0)).toBe(false);
    b.set('c', 'new', '1', 0);
    expect(b.has('a', 'checked')).toBe(false);
    b.set('c', 'newer', '1', 0);
    expect(b.has('a', 'set')).toBe(false);
    expect(b.get('b', 'incremented')).toBe('2');
  });

  it('forgets entries that are deleted, cleared or expired, in every namespace', () => {
    const time = manualClock();
    const b = backend({ ...time, maxEntries: 4 });
    b.set('a', 'deleted', '1', 0);
    b.set('b', 'cleared', '1', 0);
    b.set('c', 'expired', '1', 10);
    b.set('d', 'kept', '1', 0);
    expect(b.delete('a', 'deleted')).toBe(true);
    b.clear('b');
    time.advance(10);
    expect(b.get('c', 'expired')).toBeUndefined();
    expect(b.stats()).toMatchObject({ entries: 1, evictions: 0 });
    // Only d/kept is left in the recency list: it is the one evicted next.
    for (const key of ['1', '2', '3']) b.set('e', key, '1', 0);
    expect(b.stats()).toMatchObject({ entries: 4, evictions: 0 });
    b.set('e', '4', '1', 0);
    expect(b.has('d', 'kept')).toBe(false);
    expect(b.keys('e', '').sort()).toEqual(['1', '2', '3', '4']);
    expect(b.stats()).toMatchObject({ entries: 4, bytes: 4 * (1 + 2), evictions: 1 });
  });

  it('evicts by maxBytes across namespaces and counts bytes per entry', () => {
    // Each entry: 1 byte of value plus 2 per key unit = 5 bytes.
    const b = backend({ maxBytes: 15 });
    b.set('a', 'k1', '1', 0);
    b.set('b', 'k1', '1', 0);
    b.set('a', 'k2', '1', 0);
    expect(b.stats()).toMatchObject({ entries: 3, bytes: 15, evictions: 0 });
    b.get('a', 'k1');
    // Two entries' worth of value: the two least recently used go.
    b.set('c', 'k1', '123456', 0);
    expect(b.keys('a', '')).toEqual(['k1']);
    expect(b.keys('b', '')).toEqual([]);
    expect(b.stats()).toMatchObject({ entries: 2, bytes: 15, evictions: 2 });
  });

  it('an eviction that empties a namespace leaves it usable', () => {
    const b = backend({ maxEntries: 1 });
    b.set('a', 'k', '1', 0);
    b.set('b', 'k', '2', 0);
    expect(b.keys('a', '')).toEqual([]);
    b.set('a', 'k', '3', 0);
    expect(b.get('a', 'k')).toBe('3');
    expect(b.has('b', 'k')).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 1, evictions: 2 });
  });
});

describe('MemoryBackend sweep across namespaces', () => {
  const namespaces = ['', 'a', 'a:', 'b', '__proto__'];

  it('drops every expired entry of every namespace, at most sweepBatch per sweep', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 4 });
    for (const ns of namespaces) {
      for (let i = 0; i < 7; i++) b.set(ns, `t${i}`, '1', 10);
      b.set(ns, 'kept', '1', 0);
    }
    expect(b.stats().entries).toBe(40);
    time.advance(10);
    const removed: number[] = [];
    for (let sweep = 0; sweep < 20; sweep++) {
      const before = b.stats().entries;
      b.sweep();
      removed.push(before - b.stats().entries);
    }
    // 40 entries in one walk of 4 per sweep: 10 sweeps, then the walk starts over.
    expect(removed.every((count) => count <= 4)).toBe(true);
    expect(removed.reduce((sum, count) => sum + count, 0)).toBe(35);
    expect(b.stats()).toMatchObject({ entries: 5, bytes: 5 * (1 + 8), expirations: 35 });
    for (const ns of namespaces) expect(b.keys(ns, '')).toEqual(['kept']);
  });

  it('drops exactly sweepBatch expired entries per sweep while the walk has them', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 4 });
    for (const ns of namespaces) for (let i = 0; i < 7; i++) b.set(ns, `t${i}`, '1', 10);
    time.advance(10);
    const removed: number[] = [];
    while (b.stats().entries > 0 && removed.length < 20) {
      const before = b.stats().entries;
      b.sweep();
      removed.push(before - b.stats().entries);
    }
    expect(removed).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 3]);
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 35 });
  });

  it('copes with namespaces emptied, added and refilled between sweeps', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 3 });
    for (const ns of namespaces) for (let i = 0; i < 5; i++) b.set(ns, `k${i}`, '1', 5);
    b.sweep();
    b.sweep();
    // The walk is inside 'a' now: empty it, refill it, and empty others.
    for (let i = 0; i < 5; i++) b.delete('a', `k${i}`);
    b.set('a', 'again', '1', 5);
    b.clear('b');
    b.set('new', 'k', '1', 5);
    b.set('', 'late', '1', 5);
    time.advance(5);
    for (let i = 0; i < 20; i++) b.sweep();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0 });
    // Only what clear() and delete() did not remove counts as expired.
    expect(b.stats().expirations).toBe(25 - 10 + 3);
  });

  it('does not count entries cleared while the sweep was walking their namespace', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 2 });
    for (let i = 0; i < 6; i++) b.set('a', `k${i}`, '1', 10);
    time.advance(10);
    b.sweep();
    expect(b.stats()).toMatchObject({ entries: 4, expirations: 2 });
    b.clear('a');
    for (let i = 0; i < 3; i++) b.set('a', `n${i}`, '1', 10);
    time.advance(10);
    for (let i = 0; i < 10; i++) b.sweep();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 5 });
  });

  it('starts a new walk after close() and keeps working', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 2 });
    for (let i = 0; i < 6; i++) b.set('a', `k${i}`, '1', 10);
    time.advance(10);
    b.sweep();
    b.close();
    b.set('a', 'k', '1', 10);
    b.set('b', 'k', '1', 10);
    time.advance(10);
    b.sweep();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 4 });
  });

  it('swept entries leave the recency list', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 100, maxEntries: 3 });
    b.set('a', 'expiring', '1', 10);
    b.set('b', 'old', '1', 0);
    b.set('a', 'newer', '1', 0);
    time.advance(10);
    b.sweep();
    expect(b.stats()).toMatchObject({ entries: 2, expirations: 1 });
    b.set('c', 'k', '1', 0);
    expect(b.stats().evictions).toBe(0);
    b.set('c', 'k2', '1', 0);
    expect(b.has('b', 'old')).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 3, evictions: 1 });
  });
});

describe('MemoryBackend namespace maps', () => {
  it('a namespace emptied by delete(), expiry or clear() is usable again', () => {
    const time = manualClock();
    const b = backend(time);
    b.set('a', 'k', '1', 0);
    expect(b.delete('a', 'k')).toBe(true);
    expect(b.keys('a', '')).toEqual([]);
    expect(b.get('a', 'k')).toBeUndefined();
    b.set('a', 'k2', '2', 10);
    expect(b.keys('a', '')).toEqual(['k2']);
    time.advance(10);
    expect(b.get('a', 'k2')).toBeUndefined();
    expect(b.setIfAbsent('a', 'k3', '3', 0)).toBe(true);
    expect(b.increment('a', 'n', 2)).toBe(2);
    expect(b.keys('a', '').sort()).toEqual(['k3', 'n']);
    b.clear('a');
    b.clear('a');
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 1 });
    b.set('a', 'k', '4', 0);
    expect(b.get('a', 'k')).toBe('4');
    expect(b.stats()).toMatchObject({ entries: 1, bytes: 1 + 2 });
  });

  it("keys() and clear() keep ('a:', 'b') and ('a', ':b') apart", () => {
    const b = backend();
    b.set('a:', 'b', '1', 0);
    b.set('a', ':b', '2', 0);
    b.set('a', 'b', '3', 0);
    expect(b.keys('a', ':').sort()).toEqual([':b']);
    expect(b.keys('a', '').sort()).toEqual([':b', 'b']);
    expect(b.keys('a:', '')).toEqual(['b']);
    expect(b.keys('a:', ':')).toEqual([]);
    expect(b.keys('', 'a')).toEqual([]);
    b.clear('a:');
    expect(b.keys('a', '').sort()).toEqual([':b', 'b']);
    expect(b.get('a:', 'b')).toBeUndefined();
    b.set('a:', 'b', '4', 0);
    b.clear('a');
    expect(b.keys('a', '')).toEqual([]);
    expect(b.get('a:', 'b')).toBe('4');
    expect(b.stats()).toMatchObject({ entries: 1, bytes: 1 + 2 });
  });

  it('keeps __proto__ and other Object.prototype names as ordinary namespaces and keys', () => {
    const b = backend();
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    for (const ns of names) for (const key of names) b.set(ns, key, `"${ns}.${key}"`, 0);
    for (const ns of names) {
      for (const key of names) expect(b.get(ns, key)).toBe(`"${ns}.${key}"`);
      expect(b.keys(ns, '').sort()).toEqual([...names].sort());
      expect(b.keys(ns, '__')).toEqual(['__proto__']);
    }
    b.clear('__proto__');
    expect(b.keys('__proto__', '')).toEqual([]);
    expect(b.get('constructor', '__proto__')).toBe('"constructor.__proto__"');
    expect(b.stats().entries).toBe(12);
  });

  it('keeps a copy of bytes received as a view into a larger buffer, not the view', () => {
    const b = backend();
    // Buffer.alloc() never uses the shared pool: the frame has a buffer of its own.
    const frame = Buffer.alloc(22);
    frame.write('header:payload:trailer');
    b.set('a', 'k', frame.subarray(7, 14), 0);
    // Replacing an existing value copies as well.
    b.set('a', 'k2', Buffer.from('x'), 0);
    b.set('a', 'k2', frame.subarray(0, 6), 0);
    frame.fill(0);
    const stored = b.get('a', 'k') as Uint8Array;
    expect(Buffer.from(stored).toString()).toBe('payload');
    expect(stored.buffer).not.toBe(frame.buffer);
    const replaced = b.get('a', 'k2') as Uint8Array;
    expect(Buffer.from(replaced).toString()).toBe('header');
    expect(replaced.buffer).not.toBe(frame.buffer);
    expect(b.stats().bytes).toBe(7 + 2 + 6 + 4);
  });
});
