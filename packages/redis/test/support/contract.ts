/**
 * The Store contract, as a suite any Redis configuration runs (standalone, injected client,
 * Cluster, JSON codec). It checks the shared semantics of docs/architecture.md and docs/reliability.md C/D on
 * a real server; @statewire/conformance runs on top when it is built.
 */
import { randomBytes } from 'node:crypto';
import type { Capabilities } from '@statewire/core';
import { describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/index.js';
import { rejection, sleep, track, uniqueNamespace } from './stores.js';

type Factory = (options: { namespace: string }) => RedisStore<Record<string, unknown>>;

const AWKWARD_KEYS = [
  'line\nbreak',
  'nul\u0000byte',
  'emoji 🎉',
  'rtl עברית',
  ' spaced ',
  'glob*?[a-z]\\^',
  'sep:ar:ator',
  '{hash}tag',
  '__proto__',
  'constructor',
  'hasOwnProperty',
];

const JSON_VALUES: [string, unknown][] = [
  ['zero', 0],
  ['negative integer', -42],
  ['max safe integer', Number.MAX_SAFE_INTEGER],
  ['min safe integer', Number.MIN_SAFE_INTEGER],
  ['fraction', 1.5],
  ['large double', 2 ** 60],
  ['false', false],
  ['true', true],
  ['empty string', ''],
  ['digits string', '42'],
  ['string with marker-like text', '\u00c1x'],
  ['null', null],
  ['array', [1, 'two', null, [3]]],
  ['object', { a: 1, nested: { b: [true] }, __proto__x: 1 }],
];

const STRUCTURED_VALUES: [string, unknown][] = [
  ['Buffer', Buffer.from([0, 1, 2, 0xc1, 255])],
  ['Uint8Array', new Uint8Array([1, 2, 3])],
  ['Float64Array', new Float64Array([1.5, -2])],
  ['Date', new Date(1_700_000_000_000)],
  [
    'Map',
    new Map<unknown, unknown>([
      [1, 'a'],
      ['b', { c: 2 }],
    ]),
  ],
  ['Set', new Set([1, 'x'])],
  ['BigInt', 12345678901234567890n],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['undefined inside an array', [1, undefined, 3]],
];

/**
 * Runs the contract against stores from `factory`; `expected` is the capabilities manifest
 * the configuration must declare.
 */
export function describeContract(name: string, factory: Factory, expected: Capabilities): void {
  const make = (namespace = uniqueNamespace()) => track(factory({ namespace }));

  describe(`${name}: Store contract`, () => {
    it('capabilities equal the declared manifest and are frozen', () => {
      const store = make();
      expect(store.capabilities).toEqual(expected);
      expect(Object.isFrozen(store.capabilities)).toBe(true);
    });

    it('get() of a missing key resolves undefined', async () => {
      const store = make();
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.has('missing')).toBe(false);
    });

    const values = expected.structured ? [...JSON_VALUES, ...STRUCTURED_VALUES] : JSON_VALUES;
    for (const [label, value] of values) {
      it(`set() then get() round-trips ${label} exactly`, async () => {
        const store = make();
        await store.set('k', value);
        expect(await store.get('k')).toStrictEqual(value);
        expect(await store.getMany(['k'])).toStrictEqual([value]);
      });
    }

    it('set() of a string with a lone surrogate round-trips (JSON) or rejects (msgpack)', async () => {
      const store = make();
      const value = 'a\ud800b';
      if (expected.structured) {
        await rejection(store.set('k', value), 'INVALID_VALUE');
      } else {
        await store.set('k', value);
        expect(await store.get('k')).toBe(value);
      }
    });

    it('set() of falsy values keeps them distinct from missing', async () => {
      const store = make();
      const falsy = { zero: 0, no: false, empty: '', nothing: null };
      for (const [key, value] of Object.entries(falsy)) await store.set(key, value);
      for (const [key, value] of Object.entries(falsy)) {
        expect(await store.get(key)).toStrictEqual(value);
        expect(await store.has(key)).toBe(true);
      }
    });

    it('set() rejects values the codec cannot keep, before any I/O', async () => {
      const store = make();
      await rejection(store.set('k', undefined), 'INVALID_VALUE');
      await rejection(store.set('k', -0), 'INVALID_VALUE');
      await rejection(
        store.set('k', () => 1),
        'INVALID_VALUE',
      );
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await rejection(store.set('k', cyclic), 'INVALID_VALUE');
      if (!expected.binary) await rejection(store.set('k', Buffer.from('x')), 'INVALID_VALUE');
      if (!expected.structured) {
        await rejection(store.set('k', new Date()), 'INVALID_VALUE');
        await rejection(store.set('k', 1n), 'INVALID_VALUE');
        await rejection(store.set('k', Number.NaN), 'INVALID_VALUE');
      }
      expect(await store.has('k')).toBe(false);
    });

    it('set() of a 1 MiB random Buffer round-trips byte-exact', async () => {
      const store = make();
      const bytes = randomBytes(1024 * 1024);
      if (!expected.binary) {
        await rejection(store.set('blob', bytes), 'INVALID_VALUE');
        return;
      }
      await store.set('blob', bytes);
      const back = (await store.get('blob')) as Buffer;
      expect(Buffer.isBuffer(back)).toBe(true);
      expect(back.equals(bytes)).toBe(true);
    });

    it('set() of a 16 MiB string round-trips', async () => {
      const store = make();
      const text = 'x'.repeat(16 * 1024 * 1024);
      await store.set('large', text);
      expect(await store.get('large')).toBe(text);
    });

    it('keys: awkward but valid strings round-trip and stay distinct', async () => {
      const store = make();
      for (const [i, key] of AWKWARD_KEYS.entries()) await store.set(key, i);
      for (const [i, key] of AWKWARD_KEYS.entries()) expect(await store.get(key)).toBe(i);
      expect((await store.keys()).sort()).toEqual([...AWKWARD_KEYS].sort());
      expect(Object.hasOwn({}, 'x')).toBe(false);
    });

    it('keys: non-strings, empty and lone-surrogate keys reject INVALID_KEY', async () => {
      const store = make();
      for (const key of [
        undefined,
        null,
        1,
        {},
        Symbol('s'),
        Buffer.from('k'),
        '',
        'a\ud800',
        '\udc00',
      ]) {
        await rejection(store.get(key as string), 'INVALID_KEY');
        await rejection(store.set(key as string, 1), 'INVALID_KEY');
        await rejection(store.increment(key as string), 'INVALID_KEY');
      }
      await rejection(store.getMany(['ok', 'a\ud800']), 'INVALID_KEY');
      await rejection(store.keys('a\ud800'), 'INVALID_KEY');
    });

    it('keys: a key over maxKeyBytes rejects TOO_LARGE', async () => {
      const store = make();
      await rejection(store.set('k'.repeat(expected.maxKeyBytes + 1), 1), 'TOO_LARGE');
      await store.set('k'.repeat(expected.maxKeyBytes), 1);
      expect(await store.get('k'.repeat(expected.maxKeyBytes))).toBe(1);
    });

    it('namespaces isolate, including keys() and clear(), and cannot be escaped', async () => {
      const base = uniqueNamespace();
      const a = make(`${base}a`);
      const aColon = make(`${base}a:`);
      await a.set(':b', 'from a');
      await aColon.set('b', 'from a:');
      expect(await a.get(':b')).toBe('from a');
      expect(await aColon.get('b')).toBe('from a:');
      expect(await a.get('b')).toBeUndefined();
      expect(await a.keys()).toEqual([':b']);
      expect(await aColon.keys()).toEqual(['b']);
      await a.clear();
      expect(await a.keys()).toEqual([]);
      expect(await aColon.get('b')).toBe('from a:');
    });

    it('namespaces: two stores of one namespace share the data', async () => {
      const namespace = uniqueNamespace();
      const one = make(namespace);
      const two = make(namespace);
      await one.set('shared', 1);
      expect(await two.get('shared')).toBe(1);
      expect(await two.increment('shared')).toBe(2);
      expect(await one.get('shared')).toBe(2);
    });

    it('delete() resolves whether the key existed', async () => {
      const store = make();
      await store.set('k', 1);
      expect(await store.delete('k')).toBe(true);
      expect(await store.delete('k')).toBe(false);
      expect(await store.has('k')).toBe(false);
    });

    it('keys(prefix) filters by prefix, glob characters literal', async () => {
      const store = make();
      for (const key of ['user:1', 'user:2', 'users', 'u*er:3', 'u?er', 'other'])
        await store.set(key, 1);
      expect((await store.keys('user:')).sort()).toEqual(['user:1', 'user:2']);
      expect(await store.keys('u*')).toEqual(['u*er:3']);
      expect(await store.keys('u?')).toEqual(['u?er']);
      expect((await store.keys()).length).toBe(6);
    });

    it('clear() deletes this namespace only, many keys', async () => {
      const store = make();
      const other = make();
      await store.setMany(Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, value: i })));
      await other.set('keep', 1);
      await store.clear();
      expect(await store.keys()).toEqual([]);
      expect(await other.get('keep')).toBe(1);
    });

    it('getMany() is aligned with its keys, duplicates and missing included', async () => {
      const store = make();
      await store.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 'two' },
      ]);
      expect(await store.getMany(['b', 'missing', 'a', 'b'])).toEqual(['two', undefined, 1, 'two']);
      expect(await store.getMany([])).toEqual([]);
    });

    it('getMany()/setMany()/deleteMany() over many keys are correct', async () => {
      const store = make();
      const keys = Array.from({ length: 500 }, (_, i) => `many:${i}`);
      await store.setMany(keys.map((key, i) => ({ key, value: i })));
      expect(await store.getMany(keys)).toEqual(keys.map((_, i) => i));
      expect(await store.deleteMany([...keys.slice(0, 250), 'missing'])).toBe(250);
      const after = await store.getMany(keys);
      expect(after.filter((v) => v !== undefined)).toHaveLength(250);
    });

    it('setMany() honours a ttl per entry', async () => {
      const store = make();
      await store.setMany([
        { key: 'short', value: 1, ttl: 150 },
        { key: 'long', value: 2 },
      ]);
      expect(await store.getMany(['short', 'long'])).toEqual([1, 2]);
      await sleep(400);
      expect(await store.getMany(['short', 'long'])).toEqual([undefined, 2]);
    });

    it('set() with ttl expires the key for get, has and keys', async () => {
      const store = make();
      await store.set('t', 'v', { ttl: 150 });
      expect(await store.get('t')).toBe('v');
      await sleep(400);
      expect(await store.get('t')).toBeUndefined();
      expect(await store.has('t')).toBe(false);
      expect(await store.keys()).toEqual([]);
    });

    it('set() rejects a malformed ttl or timeout with TypeError', async () => {
      const store = make();
      for (const ttl of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
        await expect(store.set('k', 1, { ttl: ttl as number })).rejects.toBeInstanceOf(TypeError);
      }
      await expect(store.get('k', { timeout: -5 })).rejects.toBeInstanceOf(TypeError);
    });

    it('increment() starts at 0, adds by, and reads back as a number', async () => {
      const store = make();
      expect(await store.increment('n')).toBe(1);
      expect(await store.increment('n', 41)).toBe(42);
      expect(await store.increment('n', -50)).toBe(-8);
      expect(await store.get('n')).toBe(-8);
      await store.set('m', 10);
      expect(await store.increment('m', 5)).toBe(15);
    });

    it('increment() keeps the expiry of the key', async () => {
      const store = make();
      await store.set('n', 1, { ttl: 200 });
      expect(await store.increment('n')).toBe(2);
      await sleep(450);
      expect(await store.get('n')).toBeUndefined();
    });

    it('increment() of a non-integer rejects WRONG_TYPE and leaves it alone', async () => {
      const store = make();
      for (const value of ['text', 1.5, { a: 1 }, null, '7']) {
        await store.set('x', value);
        await rejection(store.increment('x'), 'WRONG_TYPE');
        expect(await store.get('x')).toStrictEqual(value);
      }
    });

    it('increment() rejects a non-integer step and a result beyond the safe range', async () => {
      const store = make();
      await rejection(store.increment('n', 1.5), 'INVALID_VALUE');
      await rejection(store.increment('n', Number.MAX_SAFE_INTEGER + 1), 'INVALID_VALUE');
      await store.set('n', Number.MAX_SAFE_INTEGER - 1);
      expect(await store.increment('n')).toBe(Number.MAX_SAFE_INTEGER);
      await rejection(store.increment('n'), 'INVALID_VALUE');
      expect(await store.get('n')).toBe(Number.MAX_SAFE_INTEGER);
      await store.set('low', Number.MIN_SAFE_INTEGER);
      await rejection(store.increment('low', -1), 'INVALID_VALUE');
      expect(await store.get('low')).toBe(Number.MIN_SAFE_INTEGER);
    });

    it('increment() from concurrent calls loses nothing', async () => {
      const store = make();
      await Promise.all(Array.from({ length: 300 }, () => store.increment('c')));
      expect(await store.get('c')).toBe(300);
    });

    it('setIfAbsent() has exactly one winner', async () => {
      const namespace = uniqueNamespace();
      const one = make(namespace);
      const two = make(namespace);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).setIfAbsent('lock', i)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await one.get('lock')).toBe(winner);
    });

    it('setIfAbsent() honours ttl', async () => {
      const store = make();
      expect(await store.setIfAbsent('lock', 1, { ttl: 150 })).toBe(true);
      expect(await store.setIfAbsent('lock', 2)).toBe(false);
      await sleep(400);
      expect(await store.setIfAbsent('lock', 3)).toBe(true);
      expect(await store.get('lock')).toBe(3);
    });

    it('calls from one store apply in the order issued', async () => {
      const store = make();
      const calls = [store.set('k', 1), store.set('k', 2), store.delete('k'), store.set('k', 3)];
      await Promise.all(calls);
      expect(await store.get('k')).toBe(3);
      const more = [store.clear(), store.set('after-clear', 1), store.increment('after-clear')];
      await Promise.all(more);
      expect(await store.get('after-clear')).toBe(2);
    });

    it('calls issued together resolve like calls issued one by one (batched gets and sets)', async () => {
      const store = make();
      const results = await Promise.all([
        store.set('a', 1),
        store.set('b', 2),
        store.set('a', 10),
        store.get('a'),
        store.get('b'),
        store.get('missing'),
        store.set('a', 3, { ttl: 60_000 }),
        store.get('a'),
        store.delete('a'),
        store.get('a'),
        store.increment('b'),
        store.get('b'),
        store.set('c', 'x'),
        store.set('c', 'y'),
        store.getMany(['c', 'b']),
      ]);
      expect(results).toEqual([
        undefined,
        undefined,
        undefined,
        10,
        2,
        undefined,
        undefined,
        3,
        true,
        undefined,
        3,
        3,
        undefined,
        undefined,
        ['y', 3],
      ]);
    });

    it('an aborted signal rejects ABORTED', async () => {
      const store = make();
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(store.set('k', 1, { signal: controller.signal }), 'ABORTED');
      expect(error.maybeApplied).toBe(false);
      expect(await store.has('k')).toBe(false);
    });

    it('close() rejects pending and later calls CLOSED, and is idempotent', async () => {
      const store = make();
      await store.set('k', 1);
      const pending = [store.get('k'), store.set('k', 2), store.increment('n')].map((call) =>
        rejection(call, 'CLOSED'),
      );
      await store.close();
      await store.close();
      const errors = await Promise.all(pending);
      expect(errors[1]?.maybeApplied).toBe(false);
      await rejection(store.get('k'), 'CLOSED');
      expect(store.stats().pending).toBe(0);
    });
  });
}
