import type { Capabilities, Store } from '@statewire/core';
import type { StoreFactory } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { type ConformanceOptions, resolveOptions } from '../options.js';

const LONG_TTL = 60 * 60 * 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `has(key)` until it resolves false, up to `options.expiryTimeout`. The only
 * time-related assertion of the suite, and a generous upper bound: a key with a 100 ms ttl
 * that is still there after seconds did not expire.
 */
async function waitForExpiry(kit: Kit, s: Store, key: string): Promise<void> {
  const deadline = performance.now() + kit.options.expiryTimeout;
  while (await kit.settle(s.has(key), `has(${key})`)) {
    if (performance.now() > deadline) {
      kit.expect.fail(
        `${key}, set with a ttl of ${kit.options.ttl} ms, was still there after ${kit.options.expiryTimeout} ms`,
      );
    }
    await pause(Math.min(25, kit.options.ttl));
  }
}

async function expectGone(kit: Kit, s: Store, key: string): Promise<void> {
  kit.expect(await kit.settle(s.get(key), 'get()'), `get(${key}) after expiry`).toBeUndefined();
  kit.expect(await kit.settle(s.has(key), 'has()'), `has(${key}) after expiry`).toBe(false);
  kit
    .expect(await kit.settle(s.keys(), 'keys()'), `keys() after ${key} expired`)
    .not.toContain(key);
  kit.expect(await kit.settle(s.getMany([key]), 'getMany()')).toStrictEqual([undefined]);
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
export function describeTtl(
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  const ttl = resolved.ttl;

  describeWhen('ttl', true, expectedCapabilities.ttl, 'ttl', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('set() with ttl: the key expires for get(), has(), keys() and getMany()', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('short', 'v', { ttl }), 'set() with ttl');
      await waitForExpiry(kit, s, 'short');
      await expectGone(kit, s, 'short');
      kit
        .expect(await kit.settle(s.delete('short'), 'delete()'), 'delete() of an expired key')
        .toBe(false);
      kit.expect(await kit.settle(s.deleteMany(['short']), 'deleteMany()')).toBe(0);
    });

    test('set() without ttl keeps the key after a key with ttl expired', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('forever', 'v'), 'set()');
      await kit.settle(s.set('short', 'v', { ttl }), 'set() with ttl');
      await waitForExpiry(kit, s, 'short');
      kit.expect(await kit.settle(s.get('forever'), 'get()')).toBe('v');
    });

    test('set() with a long ttl keeps the key readable', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('long', 'v', { ttl: LONG_TTL }), 'set() with a long ttl');
      kit.expect(await kit.settle(s.get('long'), 'get()')).toBe('v');
      kit.expect(await kit.settle(s.keys(), 'keys()')).toEqual(['long']);
    });

    test('set() without ttl over a key with ttl removes the expiry', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('k', 'short', { ttl }), 'set() with ttl');
      await kit.settle(s.set('k', 'kept'), 'set() without ttl');
      await kit.settle(s.set('probe', 'v', { ttl }), 'set() of a probe with the same ttl');
      await waitForExpiry(kit, s, 'probe');
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe('kept');
    });

    test("setMany() honours each entry's ttl", async (kit) => {
      const s = await kit.store();
      await kit.settle(
        s.setMany([
          { key: 'short', value: 1, ttl },
          { key: 'forever', value: 2 },
          { key: 'long', value: 3, ttl: LONG_TTL },
        ]),
        'setMany()',
      );
      await waitForExpiry(kit, s, 'short');
      await expectGone(kit, s, 'short');
      kit.expect(await kit.settle(s.getMany(['forever', 'long']), 'getMany()')).toEqual([2, 3]);
    });

    test('setIfAbsent() with ttl: the key expires and can then be set again', async (kit) => {
      const s = await kit.store();
      kit
        .expect(await kit.settle(s.setIfAbsent('k', 'first', { ttl }), 'setIfAbsent()'))
        .toBe(true);
      await waitForExpiry(kit, s, 'k');
      await expectGone(kit, s, 'k');
      kit.expect(await kit.settle(s.setIfAbsent('k', 'second'), 'setIfAbsent() again')).toBe(true);
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe('second');
    });

    test(
      "increment() keeps the key's expiry",
      async (kit) => {
        const s = await kit.store();
        // On a busy machine the key may expire before increment() reaches it (then increment
        // counts from 0 and says nothing about expiry); try again with a longer ttl.
        for (const factor of [1, 4, 16, 64]) {
          const key = `n${factor}`;
          await kit.settle(s.set(key, 1, { ttl: ttl * factor }), 'set() with ttl');
          if ((await kit.settle(s.increment(key), 'increment()')) !== 2) continue;
          const deadline = performance.now() + ttl * factor + kit.options.expiryTimeout;
          while (await kit.settle(s.has(key), 'has()')) {
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
      kit.expect(await kit.settle(s.increment('hits', 1, { ttl }), 'increment() with ttl')).toBe(1);
      await waitForExpiry(kit, s, 'hits');
      await expectGone(kit, s, 'hits');
      kit
        .expect(await kit.settle(s.increment('hits', 1, { ttl }), 'increment() after expiry'))
        .toBe(1);
    });

    test('increment() with ttl of an existing key without expiry adds no expiry', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('n', 5), 'set() without ttl');
      kit.expect(await kit.settle(s.increment('n', 1, { ttl }), 'increment() with ttl')).toBe(6);
      await kit.settle(s.set('probe', 'v', { ttl }), 'set() of a probe with the same ttl');
      await waitForExpiry(kit, s, 'probe');
      kit.expect(await kit.settle(s.get('n'), 'get()'), 'the ttl of increment() applied').toBe(6);
    });

    test(
      'increment() with ttl: later increments never reset or extend the expiry',
      async (kit) => {
        const s = await kit.store();
        // If each increment reset the ttl, a counter incremented more often than its ttl
        // would live for ever; the window must end and the count start again at 1.
        const deadline = performance.now() + ttl + kit.options.expiryTimeout;
        kit.expect(await kit.settle(s.increment('w', 1, { ttl }), 'first increment()')).toBe(1);
        let restarted = false;
        while (!restarted) {
          if (performance.now() > deadline) {
            kit.expect.fail(
              `a key created by increment() with a ttl of ${ttl} ms was still there after ${ttl + kit.options.expiryTimeout} ms of increments`,
            );
          }
          await pause(Math.max(1, Math.floor(ttl / 5)));
          restarted = (await kit.settle(s.increment('w', 1, { ttl }), 'increment()')) === 1;
        }
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
      kit
        .expect(await kit.settle(s.has('n'), 'has()'), 'a call with a malformed ttl wrote')
        .toBe(false);
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
      kit
        .expect(await kit.settle(s.has('k'), 'has()'), 'a call with a malformed ttl wrote')
        .toBe(false);
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
      kit.expect(await kit.settle(s.keys(), 'keys()'), 'a rejected call wrote').toEqual([]);
    });
  });
}
