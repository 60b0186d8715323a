import type { Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness } from '../harness.js';
import { everyMethod } from '../methods.js';
import { resolveOptions } from '../options.js';

const sorted = (keys: readonly string[]) => [...keys].sort();

/** The size of the namespace that `clear()` must empty. */
const MANY_KEYS = 2500;
/** The size of the batch calls over many keys. */
const BATCH_KEYS = 500;

/** Writes `keys` with `setMany()` in batches the store accepts. */
async function setManyInChunks(s: Store, keys: readonly string[]): Promise<void> {
  const size = Math.min(BATCH_KEYS, s.capabilities.maxBatchKeys);
  for (let i = 0; i < keys.length; i += size) {
    await s.setMany(keys.slice(i, i + size).map((key) => ({ key, value: 1 })));
  }
}

/**
 * The semantics of every method on valid input: get / set / delete / has / keys / clear,
 * the batch methods, increment and setIfAbsent, asynchronous settlement, and the order of
 * calls issued without awaiting (RELIABILITY A7). Applies to every store.
 */
export const describeBasic: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('basic', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('get() of a missing key resolves undefined', async ({ expect, store }) => {
      const s = await store();
      expect(await s.get('missing')).toBeUndefined();
    });

    test('set() resolves undefined and get() reads the value back', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.set('k', { a: [1, 'two'] })).toBeUndefined();
      kit.expect(await s.get('k')).toStrictEqual({ a: [1, 'two'] });
    });

    test('set() overwrites the previous value', async ({ expect, store }) => {
      const s = await store();
      await s.set('k', 'first');
      await s.set('k', 2);
      expect(await s.get('k')).toBe(2);
    });

    test('delete() resolves true when the key existed and false when it did not', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      kit.expect(await s.delete('k')).toBe(true);
      kit.expect(await s.delete('k')).toBe(false);
      kit.expect(await s.delete('never')).toBe(false);
    });

    test('delete() makes get() resolve undefined and has() false', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'v');
      await s.delete('k');
      kit.expect(await s.get('k')).toBeUndefined();
      kit.expect(await s.has('k')).toBe(false);
    });

    test('has() resolves true for a stored key and false for a missing one', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'v');
      kit.expect(await s.has('k')).toBe(true);
      kit.expect(await s.has('other')).toBe(false);
    });

    test('keys() lists every key of the namespace exactly once', async (kit) => {
      const s = await kit.store();
      for (const key of ['a', 'b', 'c']) await s.set(key, key);
      await s.set('a', 'again');
      kit.expect(sorted(await s.keys())).toEqual(['a', 'b', 'c']);
      kit.expect(sorted(await s.keys(''))).toEqual(['a', 'b', 'c']);
    });

    test('keys() of an empty namespace resolves []', async ({ expect, store }) => {
      const s = await store();
      expect(await s.keys()).toEqual([]);
    });

    test('keys(prefix) lists only the keys that start with prefix', async (kit) => {
      const s = await kit.store();
      for (const key of ['user:1', 'user:2', 'users', 'u', 'other']) {
        await s.set(key, 1);
      }
      const keys = (prefix: string) => s.keys(prefix);
      kit.expect(sorted(await keys('user:'))).toEqual(['user:1', 'user:2']);
      kit.expect(sorted(await keys('user'))).toEqual(['user:1', 'user:2', 'users']);
      kit.expect(sorted(await keys('u'))).toEqual(['u', 'user:1', 'user:2', 'users']);
      kit.expect(await keys('user:1')).toEqual(['user:1']);
      kit.expect(await keys('nothing')).toEqual([]);
    });

    test('clear() deletes every key of the namespace and resolves undefined', async (kit) => {
      const s = await kit.store();
      await s.setMany([1, 2, 3].map((n) => ({ key: `k${n}`, value: n })));
      kit.expect(await s.clear()).toBeUndefined();
      kit.expect(await s.keys()).toEqual([]);
      kit.expect(await s.get('k1')).toBeUndefined();
      await s.clear();
      await s.set('k1', 'after');
      kit.expect(await s.get('k1')).toBe('after');
    });

    test(`clear() of a namespace of ${MANY_KEYS} keys deletes every one and no key of another namespace`, async (kit) => {
      const s = await kit.store();
      const other = await kit.store(kit.newNamespace());
      // More keys than one page of a holder that deletes page by page (Redis: SCAN + DEL).
      await setManyInChunks(
        s,
        Array.from({ length: MANY_KEYS }, (_, i) => `k${i}`),
      );
      await other.set('k0', 'kept');
      await s.clear();
      kit.expect(await s.keys()).toEqual([]);
      kit.expect(await other.get('k0')).toBe('kept');
    });

    test(`setMany(), getMany() and deleteMany() of ${BATCH_KEYS} keys apply to each key`, async (kit) => {
      const s = await kit.store();
      const keys = Array.from(
        { length: Math.min(BATCH_KEYS, s.capabilities.maxBatchKeys) },
        (_, i) => `many:${i}`,
      );
      await s.setMany(keys.map((key, i) => ({ key, value: i })));
      kit.expect(await s.getMany(keys)).toStrictEqual(keys.map((_, i) => i));
      const half = keys.slice(0, keys.length / 2);
      kit.expect(await s.deleteMany([...half, 'missing'])).toBe(half.length);
      kit
        .expect(await s.getMany(keys))
        .toStrictEqual(keys.map((_, i) => (i < half.length ? undefined : i)));
    });

    test('getMany() resolves the values aligned with the keys, undefined where missing', async (kit) => {
      const s = await kit.store();
      await s.set('a', 1);
      await s.set('c', 'three');
      const values = await s.getMany(['a', 'b', 'c', 'd']);
      kit.expect(values).toStrictEqual([1, undefined, 'three', undefined]);
      kit.expect(values).toHaveLength(4);
    });

    test('getMany([]) resolves []', async ({ expect, store }) => {
      const s = await store();
      expect(await s.getMany([])).toEqual([]);
    });

    test('getMany() of a repeated key resolves its value at each position', async (kit) => {
      const s = await kit.store();
      await s.set('a', 'A');
      kit.expect(await s.getMany(['a', 'x', 'a', 'a'])).toStrictEqual(['A', undefined, 'A', 'A']);
    });

    test('setMany() stores every entry and resolves undefined', async (kit) => {
      const s = await kit.store();
      const result = await s.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 'two' },
        { key: 'c', value: [3] },
      ]);
      kit.expect(result).toBeUndefined();
      kit.expect(await s.getMany(['a', 'b', 'c'])).toStrictEqual([1, 'two', [3]]);
    });

    test('setMany([]) resolves and stores nothing', async ({ expect, store }) => {
      const s = await store();
      expect(await s.setMany([])).toBeUndefined();
      expect(await s.keys()).toEqual([]);
    });

    test('setMany() of a repeated key keeps the last value', async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: 'a', value: 'first' },
        { key: 'b', value: 'b' },
        { key: 'a', value: 'last' },
      ]);
      kit.expect(await s.get('a')).toBe('last');
    });

    test('deleteMany() resolves how many of the keys existed and deletes them', async (kit) => {
      const s = await kit.store();
      await s.setMany(['a', 'b', 'keep'].map((key) => ({ key, value: key })));
      kit.expect(await s.deleteMany(['a', 'b', 'missing'])).toBe(2);
      kit.expect(sorted(await s.keys())).toEqual(['keep']);
      kit.expect(await s.deleteMany(['a', 'b'])).toBe(0);
    });

    test('deleteMany([]) resolves 0', async ({ expect, store }) => {
      const s = await store();
      expect(await s.deleteMany([])).toBe(0);
    });

    test('deleteMany() counts a repeated key once', async ({ expect, store }) => {
      const s = await store();
      await s.set('a', 1);
      expect(await s.deleteMany(['a', 'a'])).toBe(1);
    });

    test('increment() of a missing key counts from 0 and adds 1 by default', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.increment('n')).toBe(1);
      kit.expect(await s.increment('n')).toBe(2);
      kit.expect(await s.get('n')).toBe(2);
      kit.expect(await s.increment('m', undefined)).toBe(1);
    });

    test('increment() adds a positive, negative or zero step', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.increment('n', 5)).toBe(5);
      kit.expect(await s.increment('n', -7)).toBe(-2);
      kit.expect(await s.increment('n', 0)).toBe(-2);
      kit.expect(await s.increment('fresh', -3)).toBe(-3);
      kit.expect(await s.get('n')).toBe(-2);
    });

    test('increment() of a stored integer adds to it', async (kit) => {
      const s = await kit.store();
      await s.set('n', 10);
      kit.expect(await s.increment('n', 5)).toBe(15);
      await s.set('neg', -1);
      kit.expect(await s.increment('neg')).toBe(0);
    });

    test('increment() of a stored non-integer rejects WRONG_TYPE and leaves it unchanged', async (kit) => {
      const s = await kit.store();
      const stored: [string, unknown][] = [
        ['a fraction', 1.5],
        ['a numeric string', '5'],
        ['a string', 'abc'],
        ['true', true],
        ['null', null],
        ['an object', { n: 1 }],
        ['an array', [1]],
      ];
      for (const [name, value] of stored) {
        await s.set('k', value);
        await kit.rejects(`increment() of ${name}`, () => s.increment('k'), 'WRONG_TYPE');
        kit.expect(await s.get('k'), name).toStrictEqual(value);
      }
    });

    test('increment() by a step that is not a safe integer rejects INVALID_VALUE', async (kit) => {
      const s = await kit.store();
      await s.set('n', 1);
      const steps: [string, unknown][] = [
        ['1.5', 1.5],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['2^53', 2 ** 53],
        ["'1'", '1'],
        ['null', null],
        ['1n', 1n],
      ];
      for (const [name, by] of steps) {
        await kit.rejects(
          `increment(key, ${name})`,
          () => s.increment('n', by as number),
          'INVALID_VALUE',
        );
        await kit.rejects(
          `increment(missing, ${name})`,
          () => s.increment('m', by as number),
          'INVALID_VALUE',
        );
      }
      kit.expect(await s.get('n')).toBe(1);
      kit.expect(await s.has('m')).toBe(false);
    });

    test('increment() reaches the safe integers, and past them rejects INVALID_VALUE and leaves the value', async (kit) => {
      const s = await kit.store();
      await s.set('max', Number.MAX_SAFE_INTEGER - 1);
      kit.expect(await s.increment('max')).toBe(Number.MAX_SAFE_INTEGER);
      await s.set('min', Number.MIN_SAFE_INTEGER + 1);
      kit.expect(await s.increment('min', -1)).toBe(Number.MIN_SAFE_INTEGER);
      await kit.rejects(
        'increment(MAX_SAFE_INTEGER, 1)',
        () => s.increment('max', 1),
        'INVALID_VALUE',
      );
      kit.expect(await s.get('max')).toBe(Number.MAX_SAFE_INTEGER);
      await kit.rejects(
        'increment(MIN_SAFE_INTEGER, -1)',
        () => s.increment('min', -1),
        'INVALID_VALUE',
      );
      kit.expect(await s.get('min')).toBe(Number.MIN_SAFE_INTEGER);
    });

    test('setIfAbsent() of a missing key stores the value and resolves true', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.setIfAbsent('k', 'v')).toBe(true);
      kit.expect(await s.get('k')).toBe('v');
    });

    test('setIfAbsent() of an existing key leaves it unchanged and resolves false', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'first');
      kit.expect(await s.setIfAbsent('k', 'second')).toBe(false);
      kit.expect(await s.get('k')).toBe('first');
    });

    test('setIfAbsent() issued many times at once succeeds exactly once', async (kit) => {
      const s = await kit.store();
      const n = kit.options.concurrency;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => s.setIfAbsent('k', `v${i}`)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      kit.expect(winners, 'exactly one setIfAbsent() must resolve true').toHaveLength(1);
      kit.expect(await s.get('k')).toBe(`v${winners[0]}`);
    });

    test('increment() issued many times at once loses nothing', async (kit) => {
      const s = await kit.store();
      const n = kit.options.concurrency;
      const results = await Promise.all(Array.from({ length: n }, () => s.increment('n')));
      const expected = Array.from({ length: n }, (_, i) => i + 1);
      kit.expect([...results].sort((a, b) => a - b)).toEqual(expected);
      kit.expect(await s.get('n')).toBe(n);
    });

    for (const method of everyMethod) {
      test(`${method.name}() returns a promise that settles only after the call returned`, async (kit) => {
        const s = await kit.store();
        let returned = false;
        let result: unknown;
        try {
          result = method.invoke(s, 'k');
        } catch (error) {
          result = error;
        }
        kit.expect(result, `${method.name}() must return a promise`).toBeInstanceOf(Promise);
        const observed = (result as Promise<unknown>).then(
          () => returned,
          () => returned,
        );
        returned = true;
        kit.expect(await observed).toBe(true);
      });
    }

    test('set(), set(), delete(), set() issued without awaiting apply in order', async (kit) => {
      const s = await kit.store();
      const calls = [s.set('k', 1), s.set('k', 2), s.delete('k'), s.set('k', 3)];
      const results = await Promise.all(calls);
      kit.expect(results).toEqual([undefined, undefined, true, undefined]);
      kit.expect(await s.get('k')).toBe(3);
    });

    test('calls issued without awaiting over several turns, once the store is connected, apply in order', async (kit) => {
      const s = await kit.store();
      // Connected first: calls made before a link's handshake completes can all travel in
      // its first frame. These leave as they are made, over several flushes (several frames
      // on a link), which a carrier must deliver in order.
      await s.get('warm');
      const calls: Promise<unknown>[] = [];
      for (let i = 1; i <= 20; i++) {
        calls.push(s.set('k', i));
        if (i % 4 === 0) calls.push(s.delete('k'));
        if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      calls.push(s.set('k', 'last'));
      await Promise.all(calls);
      kit.expect(await s.get('k')).toBe('last');
    });

    test('get() issued right after set() without awaiting reads the new value', async (kit) => {
      const s = await kit.store();
      const [, first, , second, , gone] = await Promise.all([
        s.set('k', 'a'),
        s.get('k'),
        s.set('k', 'b'),
        s.get('k'),
        s.delete('k'),
        s.has('k'),
      ]);
      kit.expect([first, second, gone]).toEqual(['a', 'b', false]);
    });

    test('increment() and setIfAbsent() issued without awaiting resolve in order', async (kit) => {
      const s = await kit.store();
      const results = await Promise.all([
        s.increment('n'),
        s.increment('n', 10),
        s.setIfAbsent('n', 0),
        s.delete('n'),
        s.setIfAbsent('n', 'x'),
        s.get('n'),
      ]);
      kit.expect(results).toEqual([1, 11, false, true, true, 'x']);
    });

    test('setMany(), getMany() and deleteMany() issued without awaiting apply in order', async (kit) => {
      const s = await kit.store();
      const results = await Promise.all([
        s.setMany([
          { key: 'a', value: 1 },
          { key: 'b', value: 2 },
        ]),
        s.getMany(['a', 'b']),
        s.deleteMany(['a', 'c']),
        s.getMany(['a', 'b']),
        s.clear(),
        s.keys(),
      ]);
      kit.expect(results).toStrictEqual([undefined, [1, 2], 1, [undefined, 2], undefined, []]);
    });
  });
};
