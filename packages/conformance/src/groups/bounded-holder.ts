import type { Capabilities, Store } from '@statewire/core';
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
 * Holders with bounds (DESIGN "Expiry", "All or nothing"): expired entries never count
 * toward `maxEntries`, so they never cost a live entry its place, however many short-lived
 * entries were written; and a `setMany()` with one entry over the holder's `maxBytes`
 * rejects `TOO_LARGE` and applies none of its entries. Not part of `describeConformance`,
 * since a store cannot say whether its holder is bounded: a transport whose holder takes
 * `maxEntries` and `maxBytes` calls it with a factory of bounded stores. Runs on stores that
 * declare `ttl`.
 *
 * @param factory - makes a store whose holder keeps at most `maxEntries` live entries and
 *   `maxBytes` bytes
 * @param expectedCapabilities - what the store declares (the group needs `ttl`)
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

  describeWhen('ttl', true, expectedCapabilities.ttl, 'bounded holder', () => {
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

    test(`up to maxEntries (${MAX_ENTRIES}) entries without ttl are all kept`, async (kit) => {
      const s = await kit.store();
      const keys = Array.from({ length: MAX_ENTRIES }, (_, i) => `k${i}`);
      await s.setMany(keys.map((key, i) => ({ key, value: i })));
      kit.expect(await s.getMany(keys)).toStrictEqual(keys.map((_, i) => i));
    });

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
}
