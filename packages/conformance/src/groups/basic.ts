import type { Capabilities } from '@statewire/core';
import { describe } from 'vitest';
import type { StoreFactory } from '../factory.js';
import { createHarness } from '../harness.js';
import { everyMethod } from '../methods.js';
import { type ConformanceOptions, resolveOptions } from '../options.js';

const sorted = (keys: readonly string[]) => [...keys].sort();

/**
 * The semantics of every method on valid input: get / set / delete / has / keys / clear,
 * the batch methods, increment and setIfAbsent, asynchronous settlement, and the order of
 * calls issued without awaiting (RELIABILITY A7). Applies to every store.
 */
export function describeBasic(
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  describe('basic', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('get() of a missing key resolves undefined', async ({ expect, store, settle }) => {
      const s = await store();
      expect(await settle(s.get('missing'), 'get()')).toBeUndefined();
    });

    test('set() resolves undefined and get() reads the value back', async (kit) => {
      const s = await kit.store();
      kit.expect(await kit.settle(s.set('k', { a: [1, 'two'] }), 'set()')).toBeUndefined();
      kit.expect(await kit.settle(s.get('k'), 'get()')).toStrictEqual({ a: [1, 'two'] });
    });

    test('set() overwrites the previous value', async ({ expect, store, settle }) => {
      const s = await store();
      await settle(s.set('k', 'first'), 'set()');
      await settle(s.set('k', 2), 'set()');
      expect(await settle(s.get('k'), 'get()')).toBe(2);
    });

    test('delete() resolves true when the key existed and false when it did not', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('k', 1), 'set()');
      kit.expect(await kit.settle(s.delete('k'), 'delete()')).toBe(true);
      kit.expect(await kit.settle(s.delete('k'), 'delete() again')).toBe(false);
      kit.expect(await kit.settle(s.delete('never'), 'delete() of a missing key')).toBe(false);
    });

    test('delete() makes get() resolve undefined and has() false', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('k', 'v'), 'set()');
      await kit.settle(s.delete('k'), 'delete()');
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBeUndefined();
      kit.expect(await kit.settle(s.has('k'), 'has()')).toBe(false);
    });

    test('has() resolves true for a stored key and false for a missing one', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('k', 'v'), 'set()');
      kit.expect(await kit.settle(s.has('k'), 'has() of a stored key')).toBe(true);
      kit.expect(await kit.settle(s.has('other'), 'has() of a missing key')).toBe(false);
    });

    test('keys() lists every key of the namespace exactly once', async (kit) => {
      const s = await kit.store();
      for (const key of ['a', 'b', 'c']) await kit.settle(s.set(key, key), 'set()');
      await kit.settle(s.set('a', 'again'), 'set() again');
      kit.expect(sorted(await kit.settle(s.keys(), 'keys()'))).toEqual(['a', 'b', 'c']);
      kit.expect(sorted(await kit.settle(s.keys(''), "keys('')"))).toEqual(['a', 'b', 'c']);
    });

    test('keys() of an empty namespace resolves []', async ({ expect, store, settle }) => {
      const s = await store();
      expect(await settle(s.keys(), 'keys()')).toEqual([]);
    });

    test('keys(prefix) lists only the keys that start with prefix', async (kit) => {
      const s = await kit.store();
      for (const key of ['user:1', 'user:2', 'users', 'u', 'other']) {
        await kit.settle(s.set(key, 1), 'set()');
      }
      const keys = (prefix: string) => kit.settle(s.keys(prefix), `keys(${prefix})`);
      kit.expect(sorted(await keys('user:'))).toEqual(['user:1', 'user:2']);
      kit.expect(sorted(await keys('user'))).toEqual(['user:1', 'user:2', 'users']);
      kit.expect(sorted(await keys('u'))).toEqual(['u', 'user:1', 'user:2', 'users']);
      kit.expect(await keys('user:1')).toEqual(['user:1']);
      kit.expect(await keys('nothing')).toEqual([]);
    });

    test('clear() deletes every key of the namespace and resolves undefined', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.setMany([1, 2, 3].map((n) => ({ key: `k${n}`, value: n }))), 'setMany()');
      kit.expect(await kit.settle(s.clear(), 'clear()')).toBeUndefined();
      kit.expect(await kit.settle(s.keys(), 'keys()')).toEqual([]);
      kit.expect(await kit.settle(s.get('k1'), 'get()')).toBeUndefined();
      await kit.settle(s.clear(), 'clear() of an empty namespace');
      await kit.settle(s.set('k1', 'after'), 'set() after clear()');
      kit.expect(await kit.settle(s.get('k1'), 'get()')).toBe('after');
    });

    test('getMany() resolves the values aligned with the keys, undefined where missing', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('a', 1), 'set()');
      await kit.settle(s.set('c', 'three'), 'set()');
      const values = await kit.settle(s.getMany(['a', 'b', 'c', 'd']), 'getMany()');
      kit.expect(values).toStrictEqual([1, undefined, 'three', undefined]);
      kit.expect(values).toHaveLength(4);
    });

    test('getMany([]) resolves []', async ({ expect, store, settle }) => {
      const s = await store();
      expect(await settle(s.getMany([]), 'getMany([])')).toEqual([]);
    });

    test('getMany() of a repeated key resolves its value at each position', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('a', 'A'), 'set()');
      kit
        .expect(await kit.settle(s.getMany(['a', 'x', 'a', 'a']), 'getMany()'))
        .toStrictEqual(['A', undefined, 'A', 'A']);
    });

    test('setMany() stores every entry and resolves undefined', async (kit) => {
      const s = await kit.store();
      const result = await kit.settle(
        s.setMany([
          { key: 'a', value: 1 },
          { key: 'b', value: 'two' },
          { key: 'c', value: [3] },
        ]),
        'setMany()',
      );
      kit.expect(result).toBeUndefined();
      kit
        .expect(await kit.settle(s.getMany(['a', 'b', 'c']), 'getMany()'))
        .toStrictEqual([1, 'two', [3]]);
    });

    test('setMany([]) resolves and stores nothing', async ({ expect, store, settle }) => {
      const s = await store();
      expect(await settle(s.setMany([]), 'setMany([])')).toBeUndefined();
      expect(await settle(s.keys(), 'keys()')).toEqual([]);
    });

    test('setMany() of a repeated key keeps the last value', async (kit) => {
      const s = await kit.store();
      await kit.settle(
        s.setMany([
          { key: 'a', value: 'first' },
          { key: 'b', value: 'b' },
          { key: 'a', value: 'last' },
        ]),
        'setMany()',
      );
      kit.expect(await kit.settle(s.get('a'), 'get()')).toBe('last');
    });

    test('deleteMany() resolves how many of the keys existed and deletes them', async (kit) => {
      const s = await kit.store();
      await kit.settle(
        s.setMany(['a', 'b', 'keep'].map((key) => ({ key, value: key }))),
        'setMany()',
      );
      kit.expect(await kit.settle(s.deleteMany(['a', 'b', 'missing']), 'deleteMany()')).toBe(2);
      kit.expect(sorted(await kit.settle(s.keys(), 'keys()'))).toEqual(['keep']);
      kit.expect(await kit.settle(s.deleteMany(['a', 'b']), 'deleteMany() again')).toBe(0);
    });

    test('deleteMany([]) resolves 0', async ({ expect, store, settle }) => {
      const s = await store();
      expect(await settle(s.deleteMany([]), 'deleteMany([])')).toBe(0);
    });

    test('deleteMany() counts a repeated key once', async ({ expect, store, settle }) => {
      const s = await store();
      await settle(s.set('a', 1), 'set()');
      expect(await settle(s.deleteMany(['a', 'a']), 'deleteMany()')).toBe(1);
    });

    test('increment() of a missing key counts from 0 and adds 1 by default', async (kit) => {
      const s = await kit.store();
      kit.expect(await kit.settle(s.increment('n'), 'increment()')).toBe(1);
      kit.expect(await kit.settle(s.increment('n'), 'increment() again')).toBe(2);
      kit.expect(await kit.settle(s.get('n'), 'get()')).toBe(2);
      kit
        .expect(await kit.settle(s.increment('m', undefined), 'increment(key, undefined)'))
        .toBe(1);
    });

    test('increment() adds a positive, negative or zero step', async (kit) => {
      const s = await kit.store();
      kit.expect(await kit.settle(s.increment('n', 5), 'increment(5)')).toBe(5);
      kit.expect(await kit.settle(s.increment('n', -7), 'increment(-7)')).toBe(-2);
      kit.expect(await kit.settle(s.increment('n', 0), 'increment(0)')).toBe(-2);
      kit
        .expect(await kit.settle(s.increment('fresh', -3), 'increment(-3) of a missing key'))
        .toBe(-3);
      kit.expect(await kit.settle(s.get('n'), 'get()')).toBe(-2);
    });

    test('increment() of a stored integer adds to it', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('n', 10), 'set()');
      kit.expect(await kit.settle(s.increment('n', 5), 'increment()')).toBe(15);
      await kit.settle(s.set('neg', -1), 'set()');
      kit.expect(await kit.settle(s.increment('neg'), 'increment()')).toBe(0);
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
        await kit.settle(s.set('k', value), `set() of ${name}`);
        await kit.rejects(`increment() of ${name}`, () => s.increment('k'), 'WRONG_TYPE');
        kit.expect(await kit.settle(s.get('k'), 'get()'), name).toStrictEqual(value);
      }
    });

    test('increment() by a step that is not a safe integer rejects INVALID_VALUE', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('n', 1), 'set()');
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
      kit.expect(await kit.settle(s.get('n'), 'get()')).toBe(1);
      kit.expect(await kit.settle(s.has('m'), 'has()')).toBe(false);
    });

    test('increment() past the safe integers rejects INVALID_VALUE and leaves the value', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('max', Number.MAX_SAFE_INTEGER), 'set()');
      await kit.rejects(
        'increment(MAX_SAFE_INTEGER, 1)',
        () => s.increment('max', 1),
        'INVALID_VALUE',
      );
      kit.expect(await kit.settle(s.get('max'), 'get()')).toBe(Number.MAX_SAFE_INTEGER);
      await kit.settle(s.set('min', Number.MIN_SAFE_INTEGER), 'set()');
      await kit.rejects(
        'increment(MIN_SAFE_INTEGER, -1)',
        () => s.increment('min', -1),
        'INVALID_VALUE',
      );
      kit.expect(await kit.settle(s.get('min'), 'get()')).toBe(Number.MIN_SAFE_INTEGER);
    });

    test('setIfAbsent() of a missing key stores the value and resolves true', async (kit) => {
      const s = await kit.store();
      kit.expect(await kit.settle(s.setIfAbsent('k', 'v'), 'setIfAbsent()')).toBe(true);
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe('v');
    });

    test('setIfAbsent() of an existing key leaves it unchanged and resolves false', async (kit) => {
      const s = await kit.store();
      await kit.settle(s.set('k', 'first'), 'set()');
      kit.expect(await kit.settle(s.setIfAbsent('k', 'second'), 'setIfAbsent()')).toBe(false);
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe('first');
    });

    test('setIfAbsent() issued many times at once succeeds exactly once', async (kit) => {
      const s = await kit.store();
      const n = kit.options.concurrency;
      const results = await kit.settle(
        Promise.all(Array.from({ length: n }, (_, i) => s.setIfAbsent('k', `v${i}`))),
        `${n} setIfAbsent() calls`,
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      kit.expect(winners, 'exactly one setIfAbsent() must resolve true').toHaveLength(1);
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe(`v${winners[0]}`);
    });

    test('increment() issued many times at once loses nothing', async (kit) => {
      const s = await kit.store();
      const n = kit.options.concurrency;
      const results = await kit.settle(
        Promise.all(Array.from({ length: n }, () => s.increment('n'))),
        `${n} increment() calls`,
      );
      const expected = Array.from({ length: n }, (_, i) => i + 1);
      kit.expect([...results].sort((a, b) => a - b)).toEqual(expected);
      kit.expect(await kit.settle(s.get('n'), 'get()')).toBe(n);
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
        kit.expect(await kit.settle(observed, `${method.name}()`)).toBe(true);
      });
    }

    test('set(), set(), delete(), set() issued without awaiting apply in order', async (kit) => {
      const s = await kit.store();
      const calls = [s.set('k', 1), s.set('k', 2), s.delete('k'), s.set('k', 3)];
      const results = await kit.settle(Promise.all(calls), 'the four calls');
      kit.expect(results).toEqual([undefined, undefined, true, undefined]);
      kit.expect(await kit.settle(s.get('k'), 'get()')).toBe(3);
    });

    test('get() issued right after set() without awaiting reads the new value', async (kit) => {
      const s = await kit.store();
      const [, first, , second, , gone] = await kit.settle(
        Promise.all([
          s.set('k', 'a'),
          s.get('k'),
          s.set('k', 'b'),
          s.get('k'),
          s.delete('k'),
          s.has('k'),
        ]),
        'the calls',
      );
      kit.expect([first, second, gone]).toEqual(['a', 'b', false]);
    });

    test('increment() and setIfAbsent() issued without awaiting resolve in order', async (kit) => {
      const s = await kit.store();
      const results = await kit.settle(
        Promise.all([
          s.increment('n'),
          s.increment('n', 10),
          s.setIfAbsent('n', 0),
          s.delete('n'),
          s.setIfAbsent('n', 'x'),
          s.get('n'),
        ]),
        'the calls',
      );
      kit.expect(results).toEqual([1, 11, false, true, true, 'x']);
    });

    test('setMany(), getMany() and deleteMany() issued without awaiting apply in order', async (kit) => {
      const s = await kit.store();
      const results = await kit.settle(
        Promise.all([
          s.setMany([
            { key: 'a', value: 1 },
            { key: 'b', value: 2 },
          ]),
          s.getMany(['a', 'b']),
          s.deleteMany(['a', 'c']),
          s.getMany(['a', 'b']),
          s.clear(),
          s.keys(),
        ]),
        'the calls',
      );
      kit.expect(results).toStrictEqual([undefined, [1, 2], 1, [undefined, 2], undefined, []]);
    });
  });
}
