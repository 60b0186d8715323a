import type { Store } from '@statewire/core';
import type { ConformanceGroup } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

async function openStores(kit: Kit): Promise<Store[]> {
  const stores: Store[] = [];
  for (let i = 0; i < kit.options.atomicStores; i++) stores.push(await kit.store());
  return stores;
}

/**
 * Atomicity across clients (RELIABILITY C39), on stores that declare `atomic`: the suite
 * calls the factory several times with the same namespace (so the factory must return
 * stores that share one holder for one namespace) and spreads `options.concurrency`
 * concurrent calls over them. Increments lose nothing and each resolves a distinct count;
 * `setIfAbsent` has exactly one winner.
 */
export const describeAtomic: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);

  describeWhen('atomic', true, expectedCapabilities.atomic, 'atomic', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('increment() from several stores of one namespace at once loses no update', async (kit) => {
      const stores = await openStores(kit);
      const n = kit.options.concurrency;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => (stores[i % stores.length] as Store).increment('n')),
      );
      kit
        .expect(
          [...results].sort((a, b) => a - b),
          'each increment() must resolve a distinct count',
        )
        .toEqual(Array.from({ length: n }, (_, i) => i + 1));
      for (const s of stores) kit.expect(await s.get('n')).toBe(n);
    });

    test('increment() with mixed steps from several stores sums exactly', async (kit) => {
      const stores = await openStores(kit);
      const n = kit.options.concurrency;
      const steps = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -2 : 5));
      await Promise.all(
        steps.map((by, i) => (stores[i % stores.length] as Store).increment('sum', by)),
      );
      const total = steps.reduce((a, b) => a + b, 0);
      kit.expect(await (stores[0] as Store).get('sum')).toBe(total);
    });

    test('setIfAbsent() from several stores of one namespace at once has exactly one winner', async (kit) => {
      const stores = await openStores(kit);
      const n = kit.options.concurrency;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          (stores[i % stores.length] as Store).setIfAbsent('lock', `owner${i}`),
        ),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      kit.expect(winners, 'exactly one setIfAbsent() must resolve true').toHaveLength(1);
      for (const s of stores) {
        kit.expect(await s.get('lock')).toBe(`owner${winners[0]}`);
      }
    });
  });
};
