import { createMemoryStore, jsonCodec, StateError } from '@statewire/core';
import { MemoryBackend } from '@statewire/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedWindow, StatewireRateLimitStore } from '../src/index.js';

// An hour: a test crossing a window boundary (which rightly restarts counts) is unlikely.
const WINDOW_MS = 3_600_000;
// The store's own clock (expiry), moved by the test; windows follow the wall clock.
let clock = 0;
const backends: MemoryBackend[] = [];
function limiterStore(prefix?: string) {
  const backend = new MemoryBackend({ codec: jsonCodec, now: () => clock });
  backends.push(backend);
  const store = createMemoryStore({ backend });
  const limiter = new StatewireRateLimitStore({
    store,
    ...(prefix === undefined ? {} : { prefix }),
  });
  limiter.init({ windowMs: WINDOW_MS });
  return { store, limiter };
}
afterEach(() => {
  for (const backend of backends.splice(0)) backend.close();
});

describe('fixedWindow()', () => {
  it('numbers windows from the epoch and ends each at the next multiple of windowMs', () => {
    expect(fixedWindow(0, 1000)).toEqual({ index: 0, end: 1000 });
    expect(fixedWindow(999, 1000)).toEqual({ index: 0, end: 1000 });
    expect(fixedWindow(1000, 1000)).toEqual({ index: 1, end: 2000 });
    expect(fixedWindow(1_700_000_123_456, 60_000)).toEqual({
      index: 28_333_335,
      end: 1_700_000_160_000,
    });
  });
});

describe('StatewireRateLimitStore', () => {
  it('increment() counts hits and resolves the end of the window as resetTime', async () => {
    const { limiter } = limiterStore();
    const first = await limiter.increment('1.2.3.4');
    const second = await limiter.increment('1.2.3.4');
    const other = await limiter.increment('5.6.7.8');
    expect([first.totalHits, second.totalHits, other.totalHits]).toEqual([1, 2, 1]);
    // The window may turn between two calls; then the end moves by exactly one window.
    const end = fixedWindow(Date.now(), WINDOW_MS).end;
    expect([end, end - WINDOW_MS]).toContain(second.resetTime?.getTime());
  });

  it('increment() keys the counter by prefix, client and window number', async () => {
    const { limiter, store } = limiterStore('api:');
    expect(limiter.prefix).toBe('api:');
    expect(limiter.localKeys).toBe(false);
    await limiter.increment('ada');
    const [key] = await store.keys();
    expect(key).toMatch(/^api:ada:\d+$/);
    const index = Number(key?.split(':')[2]);
    expect([index, index + 1]).toContain(fixedWindow(Date.now(), WINDOW_MS).index);
  });

  it('the first hit sets the expiry: the counter is gone a window later, later hits never extend it', async () => {
    const { limiter, store } = limiterStore();
    // The window is aligned to the wall clock: what is left of it when the hit lands is the
    // counter's TTL (plus a second's margin), so at most `left` + 1000 ms.
    const before = Date.now();
    await limiter.increment('ada');
    const [key] = await store.keys();
    const end = (Number(key?.split(':')[2]) + 1) * WINDOW_MS;
    const left = end - before;
    clock += left / 2;
    expect(await store.increment(key as string, 1, { ttl: WINDOW_MS * 10 })).toBe(2);
    clock += left / 2 + 1001;
    expect(await store.has(key as string)).toBe(false);
  });

  it('get() reads the current count; resetKey() forgets it', async () => {
    const { limiter } = limiterStore();
    expect(await limiter.get('ada')).toBeUndefined();
    await limiter.increment('ada');
    await limiter.increment('ada');
    expect((await limiter.get('ada'))?.totalHits).toBe(2);
    await limiter.resetKey('ada');
    expect(await limiter.get('ada')).toBeUndefined();
  });

  it('decrement() takes a hit back and never goes below zero', async () => {
    const { limiter } = limiterStore();
    await limiter.increment('ada');
    await limiter.increment('ada');
    await limiter.decrement('ada');
    expect((await limiter.get('ada'))?.totalHits).toBe(1);
    await limiter.decrement('ada');
    await limiter.decrement('ada');
    expect((await limiter.get('ada'))?.totalHits).toBe(0);
    expect((await limiter.increment('ada')).totalHits).toBe(1);
  });

  // Client keys come from requests (an API key header, a user name): one the store could not
  // take as a key (over maxKeyBytes, a lone surrogate) failed every request of that client
  // (TOO_LARGE / INVALID_KEY), or with passOnStoreError let it through unlimited.
  it("client keys over the store's maxKeyBytes or with a lone surrogate are counted, each on its own", async () => {
    const { limiter, store } = limiterStore();
    const long = 'k'.repeat(2000);
    const keys = [long, `${long}x`, 'a\ud800', 'a\udc00', '\ud800'];
    for (const key of keys) {
      expect((await limiter.increment(key)).totalHits, key.slice(-3)).toBe(1);
      expect((await limiter.increment(key)).totalHits, key.slice(-3)).toBe(2);
      expect(await limiter.get(key)).toMatchObject({ totalHits: 2 });
    }
    await limiter.decrement(long);
    expect(await limiter.get(long)).toMatchObject({ totalHits: 1 });
    await limiter.resetKey('a\ud800');
    expect(await limiter.get('a\ud800')).toBeUndefined();
    expect(await limiter.get('a\udc00')).toMatchObject({ totalHits: 2 });
    // Each stands for itself in a key the store takes; a client key that looks like one
    // of them is hashed too, so it never shares another client's counter.
    const counters = await store.keys();
    expect(counters).toHaveLength(keys.length - 1);
    for (const counter of counters) expect(counter).toMatch(/^rl:#sha256:[\w-]{43}:\d+$/);
    const lookalike = (counters[0] as string).slice('rl:'.length).replace(/:\d+$/, '');
    expect((await limiter.increment(lookalike)).totalHits).toBe(1);
    // Keys the store takes as they are stay readable as they were.
    await limiter.increment('1.2.3.4');
    expect(await store.keys('rl:1.2.3.4:')).toHaveLength(1);
  });

  it('a failing store rejects with its StateError', async () => {
    const { limiter, store } = limiterStore();
    await store.close();
    await expect(limiter.increment('ada')).rejects.toSatisfy((e) => StateError.is(e, 'CLOSED'));
  });

  it('malformed options are TypeErrors naming the option', async () => {
    const store = createMemoryStore();
    expect(() => new StatewireRateLimitStore(undefined as never)).toThrow(TypeError);
    expect(() => new StatewireRateLimitStore({} as never)).toThrow(/store/);
    expect(() => new StatewireRateLimitStore({ store: new Map() as never })).toThrow(
      'store must be a statewire Store, got an object without close',
    );
    expect(() => new StatewireRateLimitStore({ store, prefix: 1 as never })).toThrow(/prefix/);
    expect(() => new StatewireRateLimitStore({ store, prefix: 'a\ud800' })).toThrow(/prefix/);
    expect(() => new StatewireRateLimitStore({ store, prefix: 'p'.repeat(1000) })).toThrow(
      /prefix must take at most \d+ UTF-8 bytes/,
    );
    const limiter = new StatewireRateLimitStore({ store });
    await expect(limiter.increment('ada')).rejects.toThrow(/init/);
    expect(() => limiter.init({ windowMs: 0 })).toThrow(/windowMs/);
    expect(() => limiter.init({ windowMs: 1.5 })).toThrow(/windowMs/);
    await store.close();
  });
});
