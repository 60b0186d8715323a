import type { Store } from '@statewire/core';
import type { ConformanceGroup } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

const LONG_TTL = 60 * 60 * 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `has(key)` until it resolves false, up to `options.expiryTimeout`. The only
 * time-related assertion of the suite, and a generous upper bound: a key with a 100 ms ttl
 * that is still there after seconds did not expire.
 */
async function waitForExpiry(kit: Kit, s: Store, key: string): Promise<void> {
  const deadline = performance.now() + kit.options.expiryTimeout;
  while (await s.has(key)) {
    if (performance.now() > deadline) {
      kit.expect.fail(
        `${key}, set with a ttl of ${kit.options.ttl} ms, was still there after ${kit.options.expiryTimeout} ms`,
      );
    }
    await pause(Math.min(25, kit.options.ttl));
  }
}

async function expectGone(kit: Kit, s: Store, key: string): Promise<void> {
  kit.expect(await s.get(key), `get(${key}) after expiry`).toBeUndefined();
  kit.expect(await s.has(key), `has(${key}) after expiry`).toBe(false);
  kit.expect(await s.keys(), `keys() after ${key} expired`).not.toContain(key);
  kit.expect(await s.getMany([key])).toStrictEqual([undefined]);
}

const malformedTtls: [string, unknown][] = [
  ['-1', -1],
  ['0', 0],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ["'100'", '100'],
  ['null', null],
];

/**
 * Time to live, on stores that declare `ttl`: expired keys read as missing everywhere,
 * keys without ttl persist, `setMany` entries and `setIfAbsent` honour ttl, `increment`
 * keeps the expiry and sets one only when it creates the key (never resetting it later),
 * and a malformed ttl is a `TypeError`. On stores without `ttl`, any
 * ttl rejects `NOT_SUPPORTED`. Short ttls and generous polling; no test asserts that
 * something happened quickly.
 */
export const describeTtl: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const ttl = resolved.ttl;

  describeWhen('ttl', true, expectedCapabilities.ttl, 'ttl', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('set() with ttl: the key expires for get(), has(), keys() and getMany()', async (kit) => {
      const s = await kit.store();
      await s.set('short', 'v', { ttl });
      await waitForExpiry(kit, s, 'short');
      await expectGone(kit, s, 'short');
      kit.expect(await s.delete('short'), 'delete() of an expired key').toBe(false);
      kit.expect(await s.deleteMany(['short'])).toBe(0);
    });

    test('set() without ttl keeps the key after a key with ttl expired', async (kit) => {
      const s = await kit.store();
      await s.set('forever', 'v');
      await s.set('short', 'v', { ttl });
      await waitForExpiry(kit, s, 'short');
      kit.expect(await s.get('forever')).toBe('v');
    });

    test('set() with a long ttl keeps the key readable', async (kit) => {
      const s = await kit.store();
      await s.set('long', 'v', { ttl: LONG_TTL });
      kit.expect(await s.get('long')).toBe('v');
      kit.expect(await s.keys()).toEqual(['long']);
    });

    test('keys live at least their ttl: with a ttl of 10 s every write is still there 400 ms later', async (kit) => {
      // A store that took the ttl in the wrong unit (seconds as ms, ms / 1000) would have
      // expired these by then.
      const s = await kit.store();
      const ttl10s = { ttl: 10_000 };
      await s.set('set', 'v', ttl10s);
      await s.setMany([{ key: 'setMany', value: 1, ...ttl10s }]);
      await s.setIfAbsent('setIfAbsent', 2, ttl10s);
      await s.increment('increment', 3, ttl10s);
      await new Promise((resolve) => setTimeout(resolve, 400));
      kit
        .expect(await s.getMany(['set', 'setMany', 'setIfAbsent', 'increment']))
        .toEqual(['v', 1, 2, 3]);
    });

    test('set() without ttl over a key with ttl removes the expiry', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'short', { ttl });
      await s.set('k', 'kept');
      await s.set('probe', 'v', { ttl });
      await waitForExpiry(kit, s, 'probe');
      kit.expect(await s.get('k')).toBe('kept');
    });

    test("setMany() honours each entry's ttl", async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: 'short', value: 1, ttl },
        { key: 'forever', value: 2 },
        { key: 'long', value: 3, ttl: LONG_TTL },
      ]);
      await waitForExpiry(kit, s, 'short');
      await expectGone(kit, s, 'short');
      kit.expect(await s.getMany(['forever', 'long'])).toEqual([2, 3]);
    });

    test('setIfAbsent() with ttl: the key expires and can then be set again', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.setIfAbsent('k', 'first', { ttl })).toBe(true);
      await waitForExpiry(kit, s, 'k');
      await expectGone(kit, s, 'k');
      kit.expect(await s.setIfAbsent('k', 'second')).toBe(true);
      kit.expect(await s.get('k')).toBe('second');
    });

    test(
      "increment() keeps the key's expiry",
      async (kit) => {
        const s = await kit.store();
        // On a busy machine the key may expire before increment() reaches it (then increment
        // counts from 0 and says nothing about expiry); try again with a longer ttl.
        for (const factor of [1, 4, 16, 64]) {
          const key = `n${factor}`;
          await s.set(key, 1, { ttl: ttl * factor });
          if ((await s.increment(key)) !== 2) continue;
          const deadline = performance.now() + ttl * factor + kit.options.expiryTimeout;
          while (await s.has(key)) {
            if (performance.now() > deadline) {
              kit.expect.fail(
                `${key} lost its ttl of ${ttl * factor} ms when increment() changed it`,
              );
            }
            await pause(25);
          }
          await expectGone(kit, s, key);
          return;
        }
        kit.expect.fail('increment() never reached a key with ttl before it expired');
      },
      resolved.timeout + 100 * ttl,
    );

    test('increment() with ttl that creates the key: the key expires', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.increment('hits', 1, { ttl })).toBe(1);
      await waitForExpiry(kit, s, 'hits');
      await expectGone(kit, s, 'hits');
      kit.expect(await s.increment('hits', 1, { ttl })).toBe(1);
    });

    test('increment() with ttl of an existing key without expiry adds no expiry', async (kit) => {
      const s = await kit.store();
      await s.set('n', 5);
      kit.expect(await s.increment('n', 1, { ttl })).toBe(6);
      await s.set('probe', 'v', { ttl });
      await waitForExpiry(kit, s, 'probe');
      kit.expect(await s.get('n'), 'the ttl of increment() applied').toBe(6);
    });

    test(
      'increment() with ttl: later increments never reset or extend the expiry',
      async (kit) => {
        const s = await kit.store();
        // If each increment reset the ttl, a counter incremented more often than its ttl
        // would live for ever; the window must end and the count start again at 1. A restart
        // right after a pause longer than the ttl (a busy machine) proves nothing, since the
        // key would have expired then either way: try again with a longer ttl.
        for (const factor of [1, 4, 16, 64]) {
          const window = ttl * factor;
          const key = `w${factor}`;
          const deadline = performance.now() + window + kit.options.expiryTimeout;
          let previous = performance.now();
          kit.expect(await s.increment(key, 1, { ttl: window })).toBe(1);
          for (;;) {
            if (performance.now() > deadline) {
              kit.expect.fail(
                `a key created by increment() with a ttl of ${window} ms was still there after ${window + kit.options.expiryTimeout} ms of increments`,
              );
            }
            await pause(Math.max(1, Math.floor(ttl / 5)));
            const started = performance.now();
            const count = await s.increment(key, 1, { ttl: window });
            // Since the previous increment started, less than the ttl passed: an increment
            // that reset the expiry would have kept the key.
            if (count === 1 && performance.now() - previous < window) return;
            if (count === 1) break;
            previous = started;
          }
        }
        kit.expect.fail('every window ended only after a pause longer than its ttl');
      },
      resolved.timeout + 100 * ttl,
    );

    test('increment() rejects a malformed ttl with TypeError and writes nothing', async (kit) => {
      const s = await kit.store();
      for (const [name, bad] of malformedTtls) {
        await kit.rejects(
          `increment() with ttl ${name}`,
          () => s.increment('n', 1, { ttl: bad as number }),
          'TypeError',
        );
      }
      kit.expect(await s.has('n'), 'a call with a malformed ttl wrote').toBe(false);
    });

    test('set(), setIfAbsent() and setMany() reject a malformed ttl with TypeError', async (kit) => {
      const s = await kit.store();
      for (const [name, bad] of malformedTtls) {
        const t = bad as number;
        await kit.rejects(`set() with ttl ${name}`, () => s.set('k', 1, { ttl: t }), 'TypeError');
        await kit.rejects(
          `setIfAbsent() with ttl ${name}`,
          () => s.setIfAbsent('k', 1, { ttl: t }),
          'TypeError',
        );
        await kit.rejects(
          `setMany() with ttl ${name}`,
          () => s.setMany([{ key: 'k', value: 1, ttl: t }]),
          'TypeError',
        );
      }
      kit.expect(await s.has('k'), 'a call with a malformed ttl wrote').toBe(false);
    });
  });

  describeWhen('ttl', false, expectedCapabilities.ttl, 'ttl not supported', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('set(), setIfAbsent(), setMany() and increment() with a ttl reject NOT_SUPPORTED', async (kit) => {
      const s = await kit.store();
      await kit.rejects('set() with ttl', () => s.set('k', 1, { ttl: LONG_TTL }), 'NOT_SUPPORTED');
      await kit.rejects(
        'setIfAbsent() with ttl',
        () => s.setIfAbsent('k', 1, { ttl: LONG_TTL }),
        'NOT_SUPPORTED',
      );
      await kit.rejects(
        'setMany() with ttl',
        () =>
          s.setMany([
            { key: 'ok', value: 1 },
            { key: 'k', value: 1, ttl: LONG_TTL },
          ]),
        'NOT_SUPPORTED',
      );
      await kit.rejects(
        'increment() with ttl',
        () => s.increment('n', 1, { ttl: LONG_TTL }),
        'NOT_SUPPORTED',
      );
      kit.expect(await s.keys(), 'a rejected call wrote').toEqual([]);
    });
  });
};
