import type { Capabilities } from '@statewire/core';
import { describe } from 'vitest';
import type { StoreFactory } from '../factory.js';
import { createHarness } from '../harness.js';
import { type ConformanceOptions, resolveOptions } from '../options.js';

const sorted = (keys: readonly string[]) => [...keys].sort();

/**
 * Namespace isolation (RELIABILITY C23): stores made with different namespaces never see
 * or touch each other's keys, through any method including `keys()` and `clear()`, and no
 * separator lets a key escape (`'a'` + `':b'` differs from `'a:'` + `'b'`; `'a'` does not
 * see `'ab'`). Stores made with one namespace share it.
 */
export function describeNamespaces(
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  describe('namespaces', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('set() through one store of a namespace is seen by another store of it', async (kit) => {
      const a = await kit.store();
      const b = await kit.store();
      await kit.settle(a.set('k', 'shared'), 'set()');
      kit.expect(await kit.settle(b.get('k'), 'get() through the second store')).toBe('shared');
      kit.expect(await kit.settle(b.keys(), 'keys()')).toEqual(['k']);
    });

    test("get(), has(), getMany() and keys() never see another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await kit.settle(
        other.setMany([
          { key: 'k', value: 1 },
          { key: 'k2', value: 2 },
        ]),
        'setMany()',
      );
      kit.expect(await kit.settle(mine.get('k'), 'get()')).toBeUndefined();
      kit.expect(await kit.settle(mine.has('k'), 'has()')).toBe(false);
      kit
        .expect(await kit.settle(mine.getMany(['k', 'k2']), 'getMany()'))
        .toStrictEqual([undefined, undefined]);
      kit.expect(await kit.settle(mine.keys(), 'keys()')).toEqual([]);
      kit.expect(await kit.settle(mine.keys('k'), "keys('k')")).toEqual([]);
    });

    test("delete(), deleteMany() and clear() never touch another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await kit.settle(
        other.setMany([
          { key: 'k', value: 1 },
          { key: 'k2', value: 2 },
        ]),
        'setMany()',
      );
      await kit.settle(mine.set('own', 1), 'set()');
      kit.expect(await kit.settle(mine.delete('k'), 'delete()')).toBe(false);
      kit.expect(await kit.settle(mine.deleteMany(['k', 'k2']), 'deleteMany()')).toBe(0);
      await kit.settle(mine.clear(), 'clear()');
      kit
        .expect(sorted(await kit.settle(other.keys(), 'keys() of the other namespace')))
        .toEqual(['k', 'k2']);
      kit.expect(await kit.settle(other.getMany(['k', 'k2']), 'getMany()')).toEqual([1, 2]);
    });

    test("increment() and setIfAbsent() ignore another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await kit.settle(
        other.setMany([
          { key: 'n', value: 41 },
          { key: 'lock', value: 'theirs' },
        ]),
        'setMany()',
      );
      kit.expect(await kit.settle(mine.increment('n'), 'increment()')).toBe(1);
      kit.expect(await kit.settle(mine.setIfAbsent('lock', 'mine'), 'setIfAbsent()')).toBe(true);
      kit
        .expect(await kit.settle(other.getMany(['n', 'lock']), 'getMany()'))
        .toEqual([41, 'theirs']);
    });

    test("set() of key ':b' in namespace 'a' and of key 'b' in namespace 'a:' keeps two keys", async (kit) => {
      const base = kit.namespace;
      const a = await kit.store(base);
      const aColon = await kit.store(`${base}:`);
      await kit.settle(a.set(':b', 'in a'), 'set()');
      await kit.settle(aColon.set('b', 'in a:'), 'set()');
      kit.expect(await kit.settle(a.get(':b'), 'get()')).toBe('in a');
      kit.expect(await kit.settle(aColon.get('b'), 'get()')).toBe('in a:');
      kit.expect(await kit.settle(a.keys(), "keys() of 'a'")).toEqual([':b']);
      kit.expect(await kit.settle(aColon.keys(), "keys() of 'a:'")).toEqual(['b']);
      await kit.settle(a.clear(), "clear() of 'a'");
      kit
        .expect(await kit.settle(aColon.get('b'), "get() in 'a:' after clear() of 'a'"))
        .toBe('in a:');
    });

    test('keys() and clear() of a namespace skip namespaces that extend its name', async (kit) => {
      const base = kit.namespace;
      const short = await kit.store(base);
      const longer = await kit.store(`${base}x`);
      const separated = await kit.store(`${base}:x`);
      await kit.settle(short.set('k', 'short'), 'set()');
      await kit.settle(longer.set('k', 'longer'), 'set()');
      await kit.settle(separated.set('k', 'separated'), 'set()');
      kit.expect(await kit.settle(short.keys(), 'keys()')).toEqual(['k']);
      kit.expect(await kit.settle(short.keys('k'), "keys('k')")).toEqual(['k']);
      await kit.settle(short.clear(), 'clear()');
      kit.expect(await kit.settle(longer.get('k'), 'get()')).toBe('longer');
      kit.expect(await kit.settle(separated.get('k'), 'get()')).toBe('separated');
    });
  });
}
