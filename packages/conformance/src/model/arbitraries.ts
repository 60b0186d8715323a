import type { Capabilities } from '@statewire/core';
import fc from 'fast-check';
import type { Expectation, ModelCheck, ModelMutation, ModelOp } from './observed-model.js';

/**
 * The keys of model runs that atomic commits take: they share the hash tag `{m}`, so that a
 * store over a Redis Cluster (which commits only keys of one slot) can run every commit.
 */
const commitKeys = ['{m}a', '{m}b'];

/**
 * The key pool of model runs: few keys, so that operations collide, including awkward,
 * prototype-named and separator-bearing ones, and two invalid keys every store must reject.
 */
export const modelKeys = [
  'a',
  'b',
  '__proto__',
  'constructor',
  'a:b',
  ':',
  ' spaced ',
  '😀',
  ...commitKeys,
  '',
  '\uD800',
];

const validKey = fc.constantFrom(...modelKeys.slice(0, -2));
const anyKey = fc.constantFrom(...modelKeys);
const commitKey = fc.constantFrom(...commitKeys);
/**
 * The keys of reads of entries and of conditional writes: fewer than the pool, so that they
 * often meet the writes and deletes of the same key (a version reused after a delete and
 * re-create shows only then), and one invalid key.
 */
const versionedKey = fc.constantFrom('a', '__proto__', ...commitKeys);

/** Values every store keeps (JSON), plus binary and structured ones when declared. */
export function modelValue(capabilities: Capabilities): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.constantFrom<unknown>(0, false, '', null, true, 1.5),
    fc.string({ maxLength: 8 }),
  );
  const json = fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom('x', 'y', 'constructor', 'toString'), leaf, {
        maxKeys: 3,
        noNullPrototype: true,
      }),
    },
  );
  const kinds: fc.Arbitrary<unknown>[] = [json];
  if (capabilities.binary)
    kinds.push(fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)));
  if (capabilities.structured) {
    kinds.push(
      fc.date({ noInvalidDate: true }),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      fc
        .array(fc.tuple(fc.string({ maxLength: 3 }), leaf), { maxLength: 3 })
        .map((entries) => new Map(entries)),
    );
  }
  return fc.oneof(...kinds);
}

const expectation = fc.constantFrom<Expectation>('current', 'current', 'stale', 'missing', 'bogus');

/**
 * The operations on versions (with `capabilities.versions`) and atomic commits (with
 * `capabilities.atomic`; checks only with `versions` too). A commit's mutations never take a
 * short ttl, so that what a commit left is known but for entries that were already short-lived.
 */
function versionedOps(
  capabilities: Capabilities,
  value: fc.Arbitrary<unknown>,
  ttl: fc.Arbitrary<'none' | 'long' | 'short'>,
): fc.WeightedArbitrary<ModelOp>[] {
  const ops: fc.WeightedArbitrary<ModelOp>[] = [];
  if (capabilities.versions) {
    ops.push(
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constant('getEntry' as const),
          key: fc.oneof(versionedKey, fc.constant('')),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('getEntries' as const),
          keys: fc.array(versionedKey, { minLength: 1, maxLength: 4 }),
        }),
      },
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('setIf' as const),
          key: versionedKey,
          value,
          ttl,
          expect: expectation,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('deleteIf' as const),
          key: versionedKey,
          expect: expectation,
        }),
      },
    );
  }
  if (capabilities.atomic) {
    const longTtl = capabilities.ttl
      ? fc.constantFrom<'none' | 'long'>('none', 'long')
      : fc.constant<'none'>('none');
    const mutation: fc.Arbitrary<ModelMutation> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: commitKey, value, ttl: longTtl }),
      fc.record({ kind: fc.constant('delete' as const), key: commitKey }),
      fc.record({
        kind: fc.constant('increment' as const),
        key: commitKey,
        by: fc.integer({ min: -3, max: 3 }),
      }),
    );
    const checks: fc.Arbitrary<ModelCheck[]> = capabilities.versions
      ? fc.array(fc.record({ key: commitKey, expect: expectation }), { maxLength: 3 })
      : fc.constant([]);
    ops.push({
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('atomic' as const),
        checks,
        mutations: fc.array(mutation, { maxLength: 4 }),
      }),
    });
  }
  return ops;
}

/** One random operation over the key pool, with values the store must keep. */
export function modelOp(capabilities: Capabilities): fc.Arbitrary<ModelOp> {
  const value = modelValue(capabilities);
  const ttl = capabilities.ttl
    ? fc.constantFrom<'none' | 'long' | 'short'>('none', 'none', 'long', 'short')
    : fc.constant<'none'>('none');
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ op: fc.constant('set' as const), key: anyKey, value, ttl }),
    },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('get' as const), key: anyKey }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('has' as const), key: validKey }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: validKey }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('increment' as const),
        key: validKey,
        by: fc.integer({ min: -3, max: 3 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('setIfAbsent' as const), key: validKey, value }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('getMany' as const),
        keys: fc.array(validKey, { minLength: 1, maxLength: 4 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('deleteMany' as const),
        keys: fc.array(validKey, { minLength: 1, maxLength: 4 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('keys' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
    ...versionedOps(capabilities, value, ttl),
  );
}
