import { MAX_VALUE_DEPTH, type Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';
import { summarize } from '../outcome.js';
import { snapshotPrototypes } from '../prototypes.js';
import { formatBytes, seededBytes, seededText } from '../random-data.js';
import { strictDiff } from '../strict-equal.js';
import {
  falsyValues,
  nested,
  ruleFor,
  type ValueCase,
  type ValueRule,
  valueMatrix,
} from '../value-matrix.js';

const MiB = 1024 * 1024;

// V8's longest string (2^29 - 24 characters on 64-bit Node).
const MAX_STRING_LENGTH = 2 ** 29 - 24;

const ruleText: Record<ValueRule, string> = {
  'round-trip': 'round-trips exactly',
  reject: 'rejects INVALID_VALUE',
  either: 'round-trips exactly or rejects INVALID_VALUE',
};

type Write = (s: Store, key: string, value: unknown) => Promise<unknown>;

const writes: [string, Write][] = [
  ['set', (s, key, value) => s.set(key, value)],
  ['setMany', (s, key, value) => s.setMany([{ key, value }])],
  ['setIfAbsent', (s, key, value) => s.setIfAbsent(key, value)],
];

/**
 * Writes `valueCase` through `set`, `setMany` and `setIfAbsent`, and checks each path
 * against the rule: an accepted value reads back strictly equal through `get` and
 * `getMany`; a rejected one is `INVALID_VALUE` and leaves nothing stored. The caller's value
 * must be left as it was, and no built-in prototype may change.
 */
async function checkValue(kit: Kit, valueCase: ValueCase, rule: ValueRule, ms: number) {
  const s = await kit.store(kit.namespace, { settleTimeout: ms });
  const before = snapshotPrototypes();
  for (const [method, write] of writes) {
    const key = `value:${method}`;
    const what = `${method}() of ${valueCase.name}`;
    const value = valueCase.make();
    const outcome = await kit.attempt(what, () => write(s, key, value), ms);
    if (outcome.kind === 'resolved') {
      kit
        .expect(rule, `${what} was accepted, but must reject with INVALID_VALUE`)
        .not.toBe('reject');
      const read = await s.get(key);
      kit
        .expect(strictDiff(valueCase.make(), read), `${what}, then get(), changed it`)
        .toBeUndefined();
      const [many] = await s.getMany([key]);
      kit
        .expect(strictDiff(valueCase.make(), many), `${what}, then getMany(), changed it`)
        .toBeUndefined();
      kit.expect(await s.has(key), `has() after ${what}`).toBe(true);
    } else {
      kit
        .expect(summarize(outcome), `${what} must ${ruleText[rule]}`)
        .toBe(rule === 'round-trip' ? 'resolved' : 'rejected INVALID_VALUE');
      kit.expect(await s.has(key), `has() after the rejected ${what}`).toBe(false);
    }
    kit
      .expect(strictDiff(valueCase.make(), value), `${what} changed the caller's value`)
      .toBeUndefined();
  }
  kit.expect(snapshotPrototypes(), 'a built-in prototype changed').toStrictEqual(before);
  kit.expect(({} as { polluted?: unknown }).polluted, '({}).polluted').toBeUndefined();
}

/**
 * The value rules (RELIABILITY D24–D28): the value matrix (every value round-trips
 * exactly or is `INVALID_VALUE`, as its class and the store's `binary` / `structured`
 * capabilities say; values nested `MAX_VALUE_DEPTH` levels deep round-trip), falsy values,
 * serializer failures and values nested deeper than `MAX_VALUE_DEPTH` that reject only their
 * call, copies on write and read, large values of `options.largeValueBytes`, and `TOO_LARGE`
 * over `maxValueBytes`. Applies to every store; the capabilities decide what each case must do.
 */
export const describeValueRules: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const caps = expectedCapabilities;
  // Large values get more time: a bound per MiB on top of the call bound.
  const boundFor = (bytes: number) => resolved.settleTimeout + Math.ceil(bytes / MiB) * 1000;
  describe('values', () => {
    const { test } = createHarness(factory, caps, resolved);

    for (const valueCase of valueMatrix()) {
      const rule = ruleFor(valueCase, caps);
      test(`set() of ${valueCase.name} ${ruleText[rule]}`, async (kit) => {
        await checkValue(kit, valueCase, rule, boundFor(MiB));
      });
    }

    for (const { name, value } of falsyValues) {
      test(`get() of a stored ${name} resolves ${name}, not missing`, async (kit) => {
        const s = await kit.store();
        await s.set('falsy', value);
        kit.expect(await s.get('falsy'), `get() of ${name}`).toStrictEqual(value);
        kit.expect(await s.has('falsy'), `has() of ${name}`).toBe(true);
        kit.expect(await s.getMany(['falsy', 'missing'])).toStrictEqual([value, undefined]);
        kit.expect(await s.keys()).toEqual(['falsy']);
        kit
          .expect(await s.setIfAbsent('falsy', 'other'), 'setIfAbsent() over a falsy value')
          .toBe(false);
        kit.expect(await s.delete('falsy'), `delete() of ${name}`).toBe(true);
      });
    }

    test('set() of a value the codec cannot encode rejects that call only', async (kit) => {
      const s = await kit.store();
      const bad = { secret: 'x', run() {} };
      const outcomes = await Promise.all([
        kit.attempt('set(a)', () => s.set('a', 1)),
        kit.attempt('set(bad)', () => s.set('bad', bad)),
        kit.attempt('setMany()', () =>
          s.setMany([
            { key: 'many', value: 1 },
            { key: 'bad', value: bad },
          ]),
        ),
        kit.attempt('set(c)', () => s.set('c', 3)),
        kit.attempt('get(a)', () => s.get('a')),
      ]);
      kit
        .expect(outcomes.map((outcome) => summarize(outcome, true)))
        .toEqual([
          'resolved undefined',
          'rejected INVALID_VALUE',
          'rejected INVALID_VALUE',
          'resolved undefined',
          'resolved 1',
        ]);
      kit
        .expect(await s.getMany(['a', 'bad', 'many', 'c']))
        .toStrictEqual([1, undefined, undefined, 3]);
      await s.set('later', 'ok');
      kit.expect(await s.get('later')).toBe('ok');
    });

    test(`set() of values nested deeper than MAX_VALUE_DEPTH (${MAX_VALUE_DEPTH}) affects those calls only: each round-trips or rejects INVALID_VALUE, and the store keeps working`, async (kit) => {
      const s = await kit.store();
      const deepArray = () => nested(MAX_VALUE_DEPTH + 1, 0, (inner) => [inner]);
      const deepObject = () => nested(MAX_VALUE_DEPTH + 1, 'leaf', (inner) => ({ inner }));
      const [a, array, many, c, read] = await Promise.all([
        kit.attempt('set(a)', () => s.set('a', 1)),
        kit.attempt('set() of the deep array', () => s.set('array', deepArray())),
        kit.attempt('setMany() with the deep object', () =>
          s.setMany([
            { key: 'many', value: 1 },
            { key: 'object', value: deepObject() },
          ]),
        ),
        kit.attempt('set(c)', () => s.set('c', 3)),
        kit.attempt('get(a)', () => s.get('a')),
      ]);
      kit
        .expect([a, c, read].map((outcome) => summarize(outcome, true)))
        .toEqual(['resolved undefined', 'resolved undefined', 'resolved 1']);
      for (const [what, outcome, keys, make] of [
        ['set() of the deep array', array, ['array'], () => [deepArray()]],
        ['setMany() with the deep object', many, ['many', 'object'], () => [1, deepObject()]],
      ] as const) {
        kit
          .expect(['resolved', 'rejected INVALID_VALUE'], `${what} ${summarize(outcome)}`)
          .toContain(summarize(outcome));
        const stored = await s.getMany([...keys]);
        const expected = outcome.kind === 'resolved' ? make() : keys.map(() => undefined);
        kit.expect(strictDiff(expected, stored), `getMany() after ${what}`).toBeUndefined();
      }
      await s.set('later', 'ok');
      kit.expect(await s.getMany(['a', 'c', 'later'])).toStrictEqual([1, 3, 'ok']);
    });

    test('set() keeps a copy: mutating the value afterwards changes nothing stored', async (kit) => {
      const s = await kit.store();
      const value = { list: [1], inner: { n: 1 } };
      await s.set('k', value);
      value.list.push(2);
      value.inner.n = 2;
      kit.expect(await s.get('k')).toStrictEqual({ list: [1], inner: { n: 1 } });
    });

    test('get() returns a copy: mutating what it resolved changes nothing stored', async (kit) => {
      const s = await kit.store();
      await s.set('k', { list: [1] });
      const first = (await s.get('k')) as { list: number[] };
      first.list.push(2);
      kit.expect(await s.get('k')).toStrictEqual({ list: [1] });
    });

    for (const size of resolved.largeValueBytes) {
      const bound = boundFor(size * 2);
      test(
        `set() of a ${formatBytes(size)} string round-trips exactly`,
        async (kit) => {
          const s = await kit.store(kit.namespace, { settleTimeout: bound });
          const text = seededText(size, size);
          const [, small] = await Promise.all([s.set('large', text), s.get('missing')]);
          kit.expect(small).toBeUndefined();
          const read = await s.get('large');
          kit.expect(typeof read).toBe('string');
          kit.expect((read as string).length).toBe(size);
          kit.expect(read === text, 'the string read back differs').toBe(true);
        },
        resolved.timeout + bound,
      );

      if (caps.binary) {
        test(
          `set() of a ${formatBytes(size)} Buffer round-trips byte-exact`,
          async (kit) => {
            const s = await kit.store(kit.namespace, { settleTimeout: bound });
            await s.set('large', seededBytes(size, size));
            const read = await s.get('large');
            kit.expect(strictDiff(seededBytes(size, size), read)).toBeUndefined();
          },
          resolved.timeout + bound,
        );
      }
    }

    test(
      'set() of a value over maxValueBytes rejects TOO_LARGE and the store keeps working',
      async (kit) => {
        const bound = boundFor(caps.maxValueBytes);
        const s = await kit.store(kit.namespace, { settleTimeout: bound });
        const size = caps.maxValueBytes + 1;
        if (!caps.binary && size > MAX_STRING_LENGTH) {
          kit.expect.fail(
            `maxValueBytes ${caps.maxValueBytes} cannot be reached without binary values: no string is that long`,
          );
        }
        // Random content, so that a compressing codec cannot squeeze it under the limit.
        const huge = caps.binary ? seededBytes(size, 5) : seededText(size, 5);
        const outcomes = await Promise.all([
          kit.attempt('set() of the huge value', () => s.set('huge', huge), bound),
          kit.attempt('set() beside it', () => s.set('small', 1), bound),
          kit.attempt(
            'setMany() with the huge value',
            () =>
              s.setMany([
                { key: 'many', value: 1 },
                { key: 'huge', value: huge },
              ]),
            bound,
          ),
          kit.attempt('setIfAbsent() of the huge value', () => s.setIfAbsent('huge', huge), bound),
        ]);
        kit
          .expect(outcomes.map((outcome) => summarize(outcome)))
          .toEqual(['rejected TOO_LARGE', 'resolved', 'rejected TOO_LARGE', 'rejected TOO_LARGE']);
        kit
          .expect(await s.getMany(['huge', 'small', 'many']))
          .toStrictEqual([undefined, 1, undefined]);
      },
      resolved.timeout + boundFor(caps.maxValueBytes) * 2,
    );
  });
};
