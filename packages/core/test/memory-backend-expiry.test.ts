import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendFactory, manualClock, until } from './helpers.js';

// Issue 12, items 2, 3 and 15: expired entries never cost a live entry its place, never
// pile up whatever the write rate, and follow a monotonic clock.

const backend = backendFactory();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MemoryBackend: expired entries vs eviction (issue 12 item 2)', () => {
  it('short-lived writes at a high rate never evict a live entry while the live count fits', () => {
    const time = manualClock();
    const b = backend({ ...time, maxEntries: 500 });
    for (let i = 0; i < 100; i++) b.set('n', `live${i}`, '1', 0);
    // One write per ms of entries living 50 ms: at most 151 live entries at any time, for
    // 20,000 writes (40 times maxEntries).
    for (let i = 0; i < 20_000; i++) {
      b.set('n', `short${i}`, '1', 50);
      time.advance(1);
    }
    expect(b.stats().evictions).toBe(0);
    for (let i = 0; i < 100; i++) expect(b.has('n', `live${i}`), `live${i}`).toBe(true);
    expect(b.stats().entries).toBeLessThanOrEqual(151);
  });

  it('an entry over the byte budget reclaims expired entries before any live one', () => {
    const time = manualClock();
    // Each entry of a 1-char key and a 10-char value costs 12 bytes.
    const b = backend({ ...time, maxBytes: 12 * 300 });
    for (let i = 0; i < 100; i++)
      b.set('n', `${String.fromCharCode(0x100 + i)}`, 'x'.repeat(10), 0);
    for (let i = 0; i < 200; i++)
      b.set('n', `${String.fromCharCode(0x400 + i)}`, 'y'.repeat(10), 5);
    expect(b.stats()).toMatchObject({ entries: 300, bytes: 12 * 300 });
    time.advance(5);
    // 150 entries' worth of bytes at once: only the expired ones can make room for it.
    b.set('n', 'big', 'z'.repeat(12 * 150 - 6), 0);
    expect(b.stats().evictions).toBe(0);
    expect(b.stats().expirations).toBeGreaterThanOrEqual(150);
    for (let i = 0; i < 100; i++) expect(b.has('n', String.fromCharCode(0x100 + i))).toBe(true);
    expect(b.has('n', 'big')).toBe(true);
  });

  it('past maxEntries with expired entries around, reclaims them and evicts no live one', () => {
    const time = manualClock();
    const b = backend({ ...time, maxEntries: 10, sweepBatch: 1 });
    for (let i = 0; i < 4; i++) b.set('n', `live${i}`, '1', 0);
    for (let i = 0; i < 6; i++) b.set('n', `short${i}`, '1', 10);
    time.advance(10);
    // setMany applies its entries one by one: each must find room among the expired.
    b.setMany('n', [
      ['a', '1', 0],
      ['b', '1', 0],
      ['c', '1', 0],
      ['d', '1', 0],
      ['e', '1', 0],
      ['f', '1', 0],
    ]);
    expect(b.stats()).toMatchObject({ entries: 10, evictions: 0, expirations: 6 });
    b.set('n', 'g', '1', 0);
    // Only now is a live entry (the least recently used) evicted.
    expect(b.stats().evictions).toBe(1);
    expect(b.has('n', 'live0')).toBe(false);
  });
});

describe('MemoryBackend: expired entries are reclaimed at any write rate (issue 12 item 3)', () => {
  it('1,000,000 short-lived writes keep the held entries within a small bound of the live ones', {
    timeout: 60_000,
  }, () => {
    const time = manualClock();
    const b = backend(time);
    let worst = 0;
    for (let i = 0; i < 1_000_000; i++) {
      // 10 writes per ms of entries living 20 ms: about 200 live at any time.
      b.set('n', `k${i}`, '1', 20);
      if (i % 10 === 9) time.advance(1);
      if (i % 1000 === 0) worst = Math.max(worst, b.stats().entries);
    }
    expect(worst).toBeLessThanOrEqual(210);
    expect(b.stats().entries).toBeLessThanOrEqual(210);
    expect(b.stats().expirations).toBeGreaterThanOrEqual(1_000_000 - 210);
  });

  it('overwriting the same keys with a ttl keeps nothing stale behind', () => {
    const time = manualClock();
    const b = backend(time);
    for (let round = 0; round < 1000; round++) {
      for (let k = 0; k < 10; k++) b.set('n', `k${k}`, String(round), 60_000 + round);
      time.advance(1);
    }
    expect(b.stats()).toMatchObject({ entries: 10, expirations: 0 });
    // Dropping their ttl takes them off the expiry structure: nothing expires later.
    for (let k = 0; k < 10; k++) b.set('n', `k${k}`, 'kept', 0);
    time.advance(1_000_000);
    expect(b.sweep()).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 10, expirations: 0 });
  });

  it('a key rewritten with a later or an earlier expiry expires at its last one', () => {
    const time = manualClock();
    const b = backend(time);
    b.set('n', 'later', '1', 10);
    b.set('n', 'earlier', '1', 1000);
    time.advance(5);
    b.set('n', 'later', '2', 100);
    b.set('n', 'earlier', '2', 10);
    time.advance(10);
    // 'later' reached the top of the heap at its first deadline: it is moved, not dropped.
    expect(b.sweep()).toBe(false);
    expect(b.keys('n', '')).toEqual(['later']);
    expect(b.stats()).toMatchObject({ entries: 1, expirations: 1 });
    time.advance(90);
    expect(b.sweep()).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 0, expirations: 2 });
  });

  it('sweep() reclaims the earliest deadlines first and reports whether more are due', () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 3 });
    for (let i = 0; i < 10; i++) b.set('n', `k${i}`, '1', 100 - i);
    b.set('n', 'late', '1', 1000);
    time.advance(95);
    // Deadlines 91..95 have passed (k9..k5): two batches.
    expect(b.sweep()).toBe(true);
    expect(b.stats()).toMatchObject({ entries: 8, expirations: 3 });
    expect(b.sweep()).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 6, expirations: 5 });
    expect(b.keys('n', '').sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'late']);
  });

  it('the timer goes on in batches on later turns until everything expired is reclaimed', async () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 100, sweepIntervalMs: 5 });
    for (let i = 0; i < 1000; i++) b.set('n', `k${i}`, '1', 10);
    b.set('n', 'kept', '1', 0);
    time.advance(10);
    await until(() => b.stats().entries === 1);
    expect(b.stats().expirations).toBe(1000);
  });

  it('close() during a batched reclaim stops it', async () => {
    const time = manualClock();
    const b = backend({ ...time, sweepBatch: 1, sweepIntervalMs: 1 });
    for (let i = 0; i < 1000; i++) b.set('n', `k${i}`, '1', 10);
    time.advance(10);
    await until(() => b.stats().expirations > 0);
    b.close();
    const after = b.stats().expirations;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(b.stats()).toMatchObject({ entries: 0, expirations: after });
  });

  it('entries removed by delete(), clear() and eviction leave the expiry structure', () => {
    const time = manualClock();
    const b = backend({ ...time, maxEntries: 5 });
    for (let i = 0; i < 5; i++) b.set('a', `k${i}`, '1', 10);
    b.delete('a', 'k0');
    b.clear('a');
    for (let i = 0; i < 5; i++) b.set('b', `k${i}`, '1', 10);
    // Evicts b:k0 .. b:k4 (live, and nothing expired to reclaim instead).
    for (let i = 0; i < 5; i++) b.set('c', `k${i}`, '1', 0);
    expect(b.stats()).toMatchObject({ entries: 5, evictions: 5 });
    time.advance(10);
    expect(b.sweep()).toBe(false);
    expect(b.stats()).toMatchObject({ entries: 5, expirations: 0 });
  });
});

describe('MemoryBackend: TTL follows a monotonic clock (issue 12 item 15)', () => {
  /** Steps `Date.now` by `step.ms` from the real wall clock, before the backend exists. */
  function steppedWallClock() {
    const real = Date.now.bind(Date);
    const step = { ms: 0 };
    vi.spyOn(Date, 'now').mockImplementation(() => real() + step.ms);
    return step;
  }

  it('a wall clock stepped forward expires nothing early', () => {
    const step = steppedWallClock();
    const b = backend();
    b.set('n', 'k', '1', 60_000);
    step.ms = 3_600_000;
    expect(b.get('n', 'k')).toBe('1');
    expect(b.keys('n', '')).toEqual(['k']);
    b.sweep();
    b.set('n', 'other', '1', 0);
    expect(b.stats()).toMatchObject({ entries: 2, expirations: 0 });
  });

  it('a wall clock stepped backward delays no expiry', async () => {
    const step = steppedWallClock();
    const b = backend();
    b.set('n', 'k', '1', 30);
    step.ms = -3_600_000;
    // Real time passes (polled on the monotonic clock: Date.now is stepped); the entry goes
    // after about 30 ms, not an hour later.
    const limit = performance.now() + 10_000;
    while (b.has('n', 'k') && performance.now() < limit) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(b.has('n', 'k')).toBe(false);
    expect(b.stats().expirations).toBe(1);
  });
});
