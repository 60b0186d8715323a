import type { Capabilities, Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

interface BadEntry {
  readonly name: string;
  readonly code: 'INVALID_KEY' | 'INVALID_VALUE' | 'TOO_LARGE' | 'NOT_SUPPORTED' | 'TypeError';
  readonly entry: (caps: Capabilities) => { key: unknown; value: unknown; ttl?: unknown };
}

/** One bad entry of each kind a store knows is bad before anything runs. */
const badEntries: readonly BadEntry[] = [
  { name: 'a number key', code: 'INVALID_KEY', entry: () => ({ key: 42, value: 1 }) },
  { name: 'the empty key', code: 'INVALID_KEY', entry: () => ({ key: '', value: 1 }) },
  {
    name: 'a key with a lone surrogate',
    code: 'INVALID_KEY',
    entry: () => ({ key: 'k\uD800', value: 1 }),
  },
  {
    name: 'a key over maxKeyBytes',
    code: 'TOO_LARGE',
    entry: (caps) => ({ key: 'k'.repeat(caps.maxKeyBytes + 1), value: 1 }),
  },
  {
    name: 'an undefined value',
    code: 'INVALID_VALUE',
    entry: () => ({ key: 'bad', value: undefined }),
  },
  {
    name: 'a value holding a function',
    code: 'INVALID_VALUE',
    entry: () => ({ key: 'bad', value: { run() {} } }),
  },
];

/** The good entries of each call: one overwrites a key that exists, the others are new. */
const goodEntries = [
  { key: 'existing', value: 'new' },
  { key: 'fresh-1', value: 1 },
  { key: 'fresh-2', value: [2] },
];

async function expectUntouched(kit: Kit, s: Store, what: string): Promise<void> {
  kit
    .expect(await s.getMany(['existing', 'fresh-1', 'fresh-2']), `${what}: no entry may be applied`)
    .toStrictEqual(['old', undefined, undefined]);
}

/**
 * All or nothing (DESIGN "All or nothing"): a multi-key write that rejects for a reason
 * known before it runs applies nothing — `setMany()` with one bad entry (a bad key, a key
 * over `maxKeyBytes`, a value the codec rejects, a malformed ttl) first, in the middle or
 * last leaves every key as it was, and `deleteMany()` with one bad key deletes nothing.
 * (`setMany()` with a value over `maxValueBytes` is in the values group.) Applies to every
 * store.
 */
export const describeAllOrNothing: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const caps = expectedCapabilities;

  describe('all or nothing', () => {
    const { test } = createHarness(factory, caps, resolved);

    const cases: BadEntry[] = [
      ...badEntries,
      caps.ttl
        ? {
            name: 'a negative ttl',
            code: 'TypeError',
            entry: () => ({ key: 'bad', value: 1, ttl: -1 }),
          }
        : {
            name: 'a ttl on a store without ttl',
            code: 'NOT_SUPPORTED',
            entry: () => ({ key: 'bad', value: 1, ttl: 1000 }),
          },
    ];
    for (const bad of cases) {
      const { code } = bad;
      test(`setMany() with ${bad.name} rejects ${code} and applies no entry, wherever it is`, async (kit) => {
        const s = await kit.store();
        await s.set('existing', 'old');
        for (const at of [0, 1, goodEntries.length]) {
          const entries = [...goodEntries.slice(0, at), bad.entry(caps), ...goodEntries.slice(at)];
          await kit.rejects(
            `setMany() with ${bad.name} at position ${at}`,
            () => s.setMany(entries as never),
            code,
          );
          await expectUntouched(kit, s, `after setMany() with ${bad.name} at position ${at}`);
        }
        // The store keeps working: the same entries without the bad one all apply.
        await s.setMany(goodEntries);
        kit
          .expect(await s.getMany(['existing', 'fresh-1', 'fresh-2']))
          .toStrictEqual(['new', 1, [2]]);
      });
    }

    test('deleteMany() with one bad key rejects and deletes nothing', async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ]);
      for (const [bad, code] of [
        [42, 'INVALID_KEY'],
        ['', 'INVALID_KEY'],
        ['k'.repeat(caps.maxKeyBytes + 1), 'TOO_LARGE'],
      ] as const) {
        await kit.rejects(
          `deleteMany() with a bad key`,
          () => s.deleteMany(['a', bad as never, 'b']),
          code,
        );
      }
      kit.expect(await s.getMany(['a', 'b'])).toStrictEqual([1, 2]);
    });
  });
};
