import type { Capabilities, Store } from '@statewire/core';
import { describe } from 'vitest';
import type { FactoryOptions } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { type ConformanceOptions, resolveOptions } from '../options.js';

/** What the bounded-holder group passes to a {@link BoundedStoreFactory}. */
export interface BoundedFactoryOptions extends FactoryOptions {
  /** The most live entries the new store's holder may keep before it evicts. */
  maxEntries: number;
  /**
   * The most bytes of keys and encoded values the holder may keep before it evicts; a
   * single entry over it is `TOO_LARGE`. Far under the store's `maxValueBytes`.
   */
  maxBytes: number;
}

/**
 * Makes a store whose holder keeps at most `maxEntries` live entries and `maxBytes` bytes
 * and evicts past them (the IPC hosts and the memory store: their `maxEntries` and
 * `maxBytes` options). Each test of the group uses one store, so every call may make a new
 * holder.
 */
export type BoundedStoreFactory = (options: BoundedFactoryOptions) => Store | Promise<Store>;

/** The holder's bounds in this group: small, so that a test writes many times past them. */
const MAX_ENTRIES = 200;
const MAX_BYTES = 64 * 1024;
const LIVE = 50;
const ROUND = 100;
const ROUNDS = 6;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `has(key)` until it resolves false, up to `options.expiryTimeout`. */
async function waitForExpiry(kit: Kit, s: Store, key: string): Promise<void> {
  const deadline = performance.now() + kit.options.expiryTimeout;
  while (await s.has(key)) {
    if (performance.now() > deadline) {
      kit.expect.fail(`${key} was still there ${kit.options.expiryTimeout} ms after its ttl`);
    }
    await pause(Math.min(25, kit.options.ttl));
  }
}

/**
 * Keys of one commit share the hash tag `{c}`, as in the atomic commits group, so that a
 * holder that commits only keys of one slot runs these tests too.
 */
const k = (name: string) => `{c}${name}`;

/** The keys of a write one entry over `MAX_ENTRIES`: `existing` first, then `0`, `1`, … */
const overflowKeys = () => [
  k('existing'),
  ...Array.from({ length: MAX_ENTRIES }, (_, i) => k(String(i))),
];

/** The namespace's keys, and the entries (with versions) or values of `keys`. */
async function snapshot(kit: Kit, s: Store, keys: string[]) {
  return {
    keys: (await s.keys()).sort(),
    entries: kit.capabilities.versions ? await s.getEntries(keys) : await s.getMany(keys),
  };
}

/**
 * Writes two of the {@link overflowKeys} (so that a write over the bound would overwrite
 * them) and returns what must not change: the snapshot of them and of the last key.
 */
async function prepareOverflow(kit: Kit, s: Store) {
  await s.setMany([
    { key: k('existing'), value: 'old' },
    { key: k('0'), value: 'old' },
  ]);
  const keys = [k('existing'), k('0'), k(String(MAX_ENTRIES - 1))];
  return { keys, before: await snapshot(kit, s, keys) };
}

/**
 * Fills the holder with `MAX_ENTRIES` older entries and returns the keys of a write of
 * exactly `MAX_ENTRIES` entries that fits: it rewrites the oldest quarter and adds new keys,
 * so that a holder that ranks entries by their first write (not their last) makes room by
 * evicting the write's own rewritten entries.
 */
async function fillForBatch(s: Store): Promise<string[]> {
  const older = Array.from({ length: MAX_ENTRIES }, (_, i) => k(`old${i}`));
  await s.setMany(older.map((key) => ({ key, value: 'old' })));
  const rewritten = older.slice(0, MAX_ENTRIES / 4);
  return [
    ...rewritten,
    ...Array.from({ length: MAX_ENTRIES - rewritten.length }, (_, i) => k(`new${i}`)),
  ];
}

/**
 * Holders with bounds (DESIGN "Expiry", "All or nothing"): expired entries never count
 * toward `maxEntries`, so they never cost a live entry its place, however many short-lived
 * entries were written; a `setMany()` with one entry over the holder's `maxBytes`, and a
 * `setMany()` (or, with `atomic`, an `atomic()` commit) of more entries than `maxEntries`,
 * rejects `TOO_LARGE` and applies none of its entries; one of exactly `maxEntries` entries
 * may evict older entries to make room, never its own. Not part of `describeConformance`,
 * since a store cannot say whether its holder is bounded: a transport whose holder takes
 * `maxEntries` and `maxBytes` calls it with a factory of bounded stores. The expiry test runs
 * on stores that declare `ttl`.
 *
 * @param factory - makes a store whose holder keeps at most `maxEntries` live entries and
 *   `maxBytes` bytes
 * @param expectedCapabilities - what the store declares (the expiry test needs `ttl`)
 * @param options - the suite's options (`ttl`, `expiryTimeout`, bounds)
 * @throws TypeError when an option is malformed
 *
 * @example
 * ```ts
 * describeBoundedHolder((bounds) => createMemoryStore(bounds),
 *   defineCapabilities({ ttl: true, atomic: true }));
 * ```
 */
export function describeBoundedHolder(
  factory: BoundedStoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  const bounded = ({ namespace }: FactoryOptions) =>
    factory({ namespace, maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES });

  describe('bounded holder', () => {
    const { test } = createHarness(bounded, expectedCapabilities, resolved);

    test(`setMany() with one entry over the holder's maxBytes (${MAX_BYTES}) rejects TOO_LARGE and applies no entry`, async (kit) => {
      const s = await kit.store();
      await s.set('existing', 'old');
      const big = { key: 'big', value: 'x'.repeat(MAX_BYTES) };
      const good = [
        { key: 'existing', value: 'new' },
        { key: 'fresh', value: 1 },
      ];
      for (const entries of [
        [big, ...good],
        [...good, big],
        [good[0], big, good[1]],
      ]) {
        await kit.rejects(
          `setMany() of ${entries.map((e) => e?.key).join(', ')}`,
          () => s.setMany(entries as never),
          'TOO_LARGE',
        );
        kit
          .expect(await s.getMany(['existing', 'fresh', 'big']), 'no entry may be applied')
          .toStrictEqual(['old', undefined, undefined]);
      }
      await s.setMany(good);
      kit.expect(await s.getMany(['existing', 'fresh'])).toStrictEqual(['new', 1]);
    });

    test(`setMany() of more entries than maxEntries (${MAX_ENTRIES + 1}) rejects TOO_LARGE and applies no entry`, async (kit) => {
      const s = await kit.store();
      const { keys, before } = await prepareOverflow(kit, s);
      await kit.rejects(
        `setMany() of ${MAX_ENTRIES + 1} entries`,
        () => s.setMany(overflowKeys().map((key, i) => ({ key, value: i }))),
        'TOO_LARGE',
      );
      kit.expect(await snapshot(kit, s, keys), 'no entry may be applied').toStrictEqual(before);
    });

    test(`setMany() of maxEntries (${MAX_ENTRIES}) entries into a full holder keeps every one of its own entries, evicting only older ones`, async (kit) => {
      const s = await kit.store();
      const batch = await fillForBatch(s);
      await s.setMany(batch.map((key, i) => ({ key, value: i })));
      kit
        .expect(await s.getMany(batch), 'every entry of the setMany() must be readable')
        .toStrictEqual(batch.map((_, i) => i));
    });

    if (expectedCapabilities.atomic) {
      test(`atomic() commit() of more sets than maxEntries (${MAX_ENTRIES + 1}) rejects TOO_LARGE and applies none`, async (kit) => {
        const s = await kit.store();
        const { keys, before } = await prepareOverflow(kit, s);
        const op = s.atomic();
        for (const [i, key] of overflowKeys().entries()) op.set(key, i);
        await kit.rejects(`commit() of ${MAX_ENTRIES + 1} sets`, () => op.commit(), 'TOO_LARGE');
        kit.expect(await snapshot(kit, s, keys), 'no set may be applied').toStrictEqual(before);
      });

      test(`atomic() commit() of maxEntries (${MAX_ENTRIES}) sets into a full holder keeps every one of its own sets, evicting only older entries`, async (kit) => {
        const s = await kit.store();
        const batch = await fillForBatch(s);
        const op = s.atomic();
        for (const [i, key] of batch.entries()) op.set(key, i);
        kit.expect((await op.commit()).ok, 'the commit').toBe(true);
        kit
          .expect(await s.getMany(batch), 'every set of the commit must be readable')
          .toStrictEqual(batch.map((_, i) => i));
      });
    }

    test(`up to maxEntries (${MAX_ENTRIES}) entries without ttl are all kept`, async (kit) => {
      const s = await kit.store();
      const keys = Array.from({ length: MAX_ENTRIES }, (_, i) => `k${i}`);
      await s.setMany(keys.map((key, i) => ({ key, value: i })));
      kit.expect(await s.getMany(keys)).toStrictEqual(keys.map((_, i) => i));
    });

    describeWhen('ttl', true, expectedCapabilities.ttl, 'expiry', () => {
      test(
        `expired entries never cost a live entry its place (${ROUNDS * ROUND} short-lived writes, maxEntries ${MAX_ENTRIES})`,
        async (kit) => {
          const s = await kit.store();
          const live = Array.from({ length: LIVE }, (_, i) => `live${i}`);
          await s.setMany(live.map((key, i) => ({ key, value: i })));
          // At most LIVE + ROUND entries are live at any time, well under the bound; together
          // with the expired ones, the holder has seen several times the bound.
          for (let round = 0; round < ROUNDS; round++) {
            const keys = Array.from({ length: ROUND }, (_, i) => `short${round}-${i}`);
            await s.setMany(keys.map((key) => ({ key, value: round, ttl: kit.options.ttl })));
            // The last entry has the latest deadline: once it is gone, the round has expired.
            await waitForExpiry(kit, s, keys[ROUND - 1] as string);
          }
          kit
            .expect(await s.getMany(live), 'every live entry must still be there')
            .toStrictEqual(live.map((_, i) => i));
        },
        resolved.timeout + ROUNDS * resolved.expiryTimeout,
      );
    });
  });
}
