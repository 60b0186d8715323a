import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonCodec } from '../src/index.js';
import { MemoryBackend } from '../src/transport.js';
import { backendFactory, manualClock, throwsWith } from './helpers.js';

const backend = backendFactory();

/** The bytes the backend counts for one entry: encoded value plus two per key unit. */
function entrySize(key: string, value: string): number {
  return Buffer.byteLength(value, 'utf8') + key.length * 2;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MemoryBackend namespaces', () => {
  it("set() keeps ('a', ':b') and ('a:', 'b') apart", () => {
    const b = backend();
    b.set('a', ':b', '1', 0);
    b.set('a:', 'b', '2', 0);
    expect(b.get('a', ':b')).toBe('1');
    expect(b.get('a:', 'b')).toBe('2');
    expect(b.keys('a', '')).toEqual([':b']);
    expect(b.keys('a:', '')).toEqual(['b']);
    expect(b.stats().entries).toBe(2);
  });

  it('set() keeps namespaces that look like length prefixes apart', () => {
    const b = backend();
    const pairs: [string, string][] = [
      ['', '1:ab'],
      ['1:a', 'b'],
      ['1', ':ab'],
      ['a', 'b'],
      ['ab', ''.padEnd(1, 'x')],
      ['', 'a'],
      ['11:aaaaaaaaaaa', 'k'],
      ['aaaaaaaaaaa', 'k'],
    ];
    for (const [i, [ns, key]] of pairs.entries()) b.set(ns, key, String(i), 0);
    for (const [i, [ns, key]] of pairs.entries()) expect(b.get(ns, key)).toBe(String(i));
    expect(b.stats().entries).toBe(pairs.length);
  });

  it('keys() and clear() stay inside their namespace', () => {
    const b = backend();
    b.set('a', 'x1', '1', 0);
    b.set('a', 'x2', '1', 0);
    b.set('a:', 'x3', '1', 0);
    b.set('ab', 'x4', '1', 0);
    b.set('', 'a:x5', '1', 0);
    b.set('', 'x6', '1', 0);
    expect(b.keys('a', '').sort()).toEqual(['x1', 'x2']);
    expect(b.keys('', '').sort()).toEqual(['a:x5', 'x6']);
    expect(b.keys('a', 'x1')).toEqual(['x1']);
    expect(b.keys('a', 'y')).toEqual([]);
    b.clear('a');
    expect(b.keys('a', '')).toEqual([]);
    expect(b.keys('a:', '')).toEqual(['x3']);
    expect(b.keys('ab', '')).toEqual(['x4']);
    expect(b.keys('', '').sort()).toEqual(['a:x5', 'x6']);
    b.clear('');
    expect(b.keys('a:', '')).toEqual(['x3']);
    expect(b.stats().entries).toBe(2);
  });

  it('delete() says whether the key existed, in its namespace only', () => {
    const b = backend();
    b.set('a', 'k', '1', 0);
    expect(b.delete('b', 'k')).toBe(false);
    expect(b.delete('a', 'k')).toBe(true);
    expect(b.delete('a', 'k')).toBe(false);
  });

  it('stats().bytes goes back to 0 when entries are deleted, replaced and cleared', () => {
    const b = backend();
    b.set('a', 'k1', '"value"', 0);
    b.set('a', 'k1', '"a longer value"', 0);
    b.set('a', 'k2', '2', 0);
    expect(b.stats().bytes).toBe(entrySize('k1', '"a longer value"') + entrySize('k2', '2'));
    b.delete('a', 'k2');
    b.clear('a');
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});

describe('MemoryBackend TTL', () => {
  it('get() drops an entry lazily once its ttl has passed', () => {
    const time = manualClock();
    const b = backend(time);
    b.set('n', 'k', '1', 100);
    time.advance(99);
    expect(b.get('n', 'k')).toBe('1');
    expect(b.stats().entries).toBe(1);
    time.advance(1);
    // Still held until something looks at it.
    expect(b.stats().entries).toBe(1);
    expect(b.get('n', 'k')).toBeUndefined();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 1 });
  });

  it('has(), delete(), keys() and setIfAbsent() treat an expired entry as missing', () => {
    const time = manualClock();
    const b = backend(time);
    for (const key of ['a', 'b', 'c', 'd']) b.set('n', key, '1', 10);
    b.set('n', 'forever', '1', 0);
    time.advance(10);
    expect(b.keys('n', '')).toEqual(['forever']);
    expect(b.has('n', 'a')).toBe(false);
    expect(b.delete('n', 'b')).toBe(false);
    expect(b.setIfAbsent('n', 'c', '2', 0)).toBe(true);
    expect(b.get('n', 'c')).toBe('2');
    time.advance(1_000_000_000);
    expect(b.get('n', 'forever')).toBe('1');
    expect(b.get('n', 'c')).toBe('2');
  });

  it('set() without ttl clears a previous ttl; set() with ttl replaces it', () => {
    const time = manualClock();
    const b = backend(time);
    b.set('n', 'k', '1', 10);
    b.set('n', 'k', '2', 0);
    time.advance(20);
    expect(b.get('n', 'k')).toBe('2');
    b.set('n', 'k', '3', 10);
    b.set('n', 'k', '4', 100);
    time.advance(50);
    expect(b.get('n', 'k')).toBe('4');
  });

  it('increment() keeps the expiry of the value', () => {
    const time = manualClock();
    const b = backend(time);
    b.set('n', 'k', '1', 100);
    time.advance(60);
    expect(b.increment('n', 'k', 1)).toBe(2);
    time.advance(39);
    expect(b.get('n', 'k')).toBe('2');
    time.advance(1);
    expect(b.has('n', 'k')).toBe(false);
    // A missing (expired) key counts as 0 and gets no expiry.
    expect(b.increment('n', 'k', 5)).toBe(5);
    time.advance(1_000_000);
    expect(b.get('n', 'k')).toBe('5');
  });

  it('sweep() drops expired entries without reads, at most sweepBatch per sweep', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 10 });
    for (let i = 0; i < 25; i++) b.set('n', `t${i}`, '1', 10);
    for (let i = 0; i < 5; i++) b.set('n', `p${i}`, '1', 0);
    time.advance(10);
    b.sweep();
    expect(b.stats().entries).toBe(20);
    b.sweep();
    expect(b.stats().entries).toBe(10);
    b.sweep();
    expect(b.stats().entries).toBe(5);
    b.sweep();
    expect(b.stats()).toMatchObject({ entries: 5, expirations: 25 });
    expect(b.keys('n', '').sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('sweep() copes with entries added and removed between sweeps', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 3 });
    for (let i = 0; i < 10; i++) b.set('n', `k${i}`, '1', 5);
    b.sweep();
    b.delete('n', 'k5');
    b.set('n', 'late', '1', 5);
    time.advance(5);
    for (let i = 0; i < 10; i++) b.sweep();
    expect(b.stats().entries).toBe(0);
  });

  it('the sweep timer runs every sweepIntervalMs, and close() stops it', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const time = manualClock();
    const before = vi.getTimerCount();
    const b = backend({ ...time, sweepIntervalMs: 1000 });
    expect(vi.getTimerCount()).toBe(before + 1);
    b.set('n', 'k', '1', 10);
    time.advance(10);
    vi.advanceTimersByTime(1000);
    expect(b.stats()).toMatchObject({ entries: 0, expirations: 1 });
    b.close();
    expect(vi.getTimerCount()).toBe(before);
  });
});

describe('MemoryBackend eviction', () => {
  it('set() past maxEntries evicts the least recently used entry; get() touches', () => {
    const b = backend({ maxEntries: 3 });
    b.set('n', 'a', '1', 0);
    b.set('n', 'b', '2', 0);
    b.set('n', 'c', '3', 0);
    expect(b.get('n', 'a')).toBe('1');
    b.set('n', 'd', '4', 0);
    expect(b.has('n', 'b')).toBe(false);
    expect(b.keys('n', '').sort()).toEqual(['a', 'c', 'd']);
    expect(b.stats()).toMatchObject({ entries: 3, evictions: 1 });
    // Overwriting also makes an entry the most recently used.
    b.set('n', 'c', '33', 0);
    b.set('n', 'e', '5', 0);
    expect(b.keys('n', '').sort()).toEqual(['c', 'd', 'e']);
  });

  it('set() past maxBytes evicts least recently used entries until it fits', () => {
    const value = '"0123456789"';
    const one = entrySize('k0', value);
    const b = backend({ maxBytes: one * 3 });
    for (let i = 0; i < 3; i++) b.set('n', `k${i}`, value, 0);
    expect(b.stats().bytes).toBe(one * 3);
    b.get('n', 'k0');
    b.set('n', 'k3', value, 0);
    expect(b.keys('n', '').sort()).toEqual(['k0', 'k2', 'k3']);
    // A bigger value pushes out as many as needed.
    const big = `"${'x'.repeat(one * 2 - 10)}"`;
    b.set('n', 'kb', big, 0);
    expect(b.stats().bytes).toBeLessThanOrEqual(one * 3);
    expect(b.get('n', 'kb')).toBe(big);
    expect(b.stats().evictions).toBeGreaterThanOrEqual(3);
  });

  it('set() of one value over maxBytes rejects TOO_LARGE and keeps the old value', () => {
    const b = backend({ maxBytes: 100 });
    b.set('n', 'k', '"small"', 0);
    b.set('n', 'other', '1', 0);
    const error = throwsWith(() => b.set('n', 'k', `"${'x'.repeat(200)}"`, 0), 'TOO_LARGE');
    expect(error.message).not.toContain('xxxx');
    expect(b.get('n', 'k')).toBe('"small"');
    expect(b.get('n', 'other')).toBe('1');
    throwsWith(() => b.setIfAbsent('n', 'new', `"${'x'.repeat(200)}"`, 0), 'TOO_LARGE');
    expect(b.has('n', 'new')).toBe(false);
    expect(b.stats().evictions).toBe(0);
  });

  it('the constructor rejects limits that are not positive numbers', () => {
    for (const bad of [0, -1, Number.NaN, '10' as unknown as number]) {
      expect(() => new MemoryBackend({ codec: jsonCodec, maxEntries: bad })).toThrow(TypeError);
      expect(() => new MemoryBackend({ codec: jsonCodec, maxBytes: bad })).toThrow(TypeError);
    }
  });
});

describe('MemoryBackend increment()', () => {
  it('increment() of a missing key starts at 0 and stores an encoded integer', () => {
    const b = backend();
    expect(b.increment('n', 'k', 5)).toBe(5);
    expect(b.increment('n', 'k', -7)).toBe(-2);
    expect(b.get('n', 'k')).toBe('-2');
  });

  it.each([
    ['a string', '"5"'],
    ['a fraction', '1.5'],
    ['a boolean', 'true'],
    ['null', 'null'],
    ['an array', '[1]'],
    ['an object', '{"n":1}'],
    ['a huge float', '1e300'],
    ['an unsafe integer', '9007199254740993'],
  ])('increment() of %s rejects WRONG_TYPE and leaves it unchanged', (_name, stored) => {
    const b = backend();
    b.set('n', 'k', stored, 0);
    throwsWith(() => b.increment('n', 'k', 1), 'WRONG_TYPE');
    expect(b.get('n', 'k')).toBe(stored);
  });

  it('increment() of a stored value its codec cannot decode rejects WRONG_TYPE', () => {
    // A remote client can store any text as a JSON-encoded value; increment must not
    // escape with the codec's SyntaxError (the host would answer "internal error").
    const b = backend();
    b.set('n', 'k', 'not json', 0);
    throwsWith(() => b.increment('n', 'k', 1), 'WRONG_TYPE');
    expect(b.get('n', 'k')).toBe('not json');
  });

  it('increment() past MAX_SAFE_INTEGER rejects INVALID_VALUE and leaves it unchanged', () => {
    const b = backend();
    b.set('n', 'max', String(Number.MAX_SAFE_INTEGER), 0);
    throwsWith(() => b.increment('n', 'max', 1), 'INVALID_VALUE');
    expect(b.get('n', 'max')).toBe(String(Number.MAX_SAFE_INTEGER));
    b.set('n', 'min', String(Number.MIN_SAFE_INTEGER), 0);
    throwsWith(() => b.increment('n', 'min', -1), 'INVALID_VALUE');
    throwsWith(() => b.increment('n', 'fresh', Number.MAX_SAFE_INTEGER + 2), 'INVALID_VALUE');
    expect(b.has('n', 'fresh')).toBe(false);
    expect(b.increment('n', 'max', -1)).toBe(Number.MAX_SAFE_INTEGER - 1);
  });
});

describe('MemoryBackend close()', () => {
  it('close() drops every entry', () => {
    const b = backend();
    b.set('n', 'k', '1', 0);
    b.close();
    expect(b.stats()).toMatchObject({ entries: 0, bytes: 0 });
    b.close();
  });
});
