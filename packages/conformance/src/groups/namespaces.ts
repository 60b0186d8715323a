import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness } from '../harness.js';
import { resolveOptions } from '../options.js';

const sorted = (keys: readonly string[]) => [...keys].sort();

/**
 * Namespace isolation (RELIABILITY C23): stores made with different namespaces never see
 * or touch each other's keys, through any method including `keys()` and `clear()`, and no
 * separator lets a key escape (`'a'` + `':b'` differs from `'a:'` + `'b'`; `'a'` does not
 * see `'ab'`). Stores made with one namespace share it.
 */
export const describeNamespaces: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('namespaces', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('set() through one store of a namespace is seen by another store of it', async (kit) => {
      const a = await kit.store();
      const b = await kit.store();
      await a.set('k', 'shared');
      kit.expect(await b.get('k')).toBe('shared');
      kit.expect(await b.keys()).toEqual(['k']);
    });

    test("get(), has(), getMany() and keys() never see another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await other.setMany([
        { key: 'k', value: 1 },
        { key: 'k2', value: 2 },
      ]);
      kit.expect(await mine.get('k')).toBeUndefined();
      kit.expect(await mine.has('k')).toBe(false);
      kit.expect(await mine.getMany(['k', 'k2'])).toStrictEqual([undefined, undefined]);
      kit.expect(await mine.keys()).toEqual([]);
      kit.expect(await mine.keys('k')).toEqual([]);
    });

    test("delete(), deleteMany() and clear() never touch another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await other.setMany([
        { key: 'k', value: 1 },
        { key: 'k2', value: 2 },
      ]);
      await mine.set('own', 1);
      kit.expect(await mine.delete('k')).toBe(false);
      kit.expect(await mine.deleteMany(['k', 'k2'])).toBe(0);
      await mine.clear();
      kit.expect(sorted(await other.keys())).toEqual(['k', 'k2']);
      kit.expect(await other.getMany(['k', 'k2'])).toEqual([1, 2]);
    });

    test("increment() and setIfAbsent() ignore another namespace's keys", async (kit) => {
      const mine = await kit.store();
      const other = await kit.store(kit.newNamespace());
      await other.setMany([
        { key: 'n', value: 41 },
        { key: 'lock', value: 'theirs' },
      ]);
      kit.expect(await mine.increment('n')).toBe(1);
      kit.expect(await mine.setIfAbsent('lock', 'mine')).toBe(true);
      kit.expect(await other.getMany(['n', 'lock'])).toEqual([41, 'theirs']);
    });

    test("set() of key ':b' in namespace 'a' and of key 'b' in namespace 'a:' keeps two keys", async (kit) => {
      const base = kit.namespace;
      const a = await kit.store(base);
      const aColon = await kit.store(`${base}:`);
      await a.set(':b', 'in a');
      await aColon.set('b', 'in a:');
      kit.expect(await a.get(':b')).toBe('in a');
      kit.expect(await aColon.get('b')).toBe('in a:');
      kit.expect(await a.keys()).toEqual([':b']);
      kit.expect(await aColon.keys()).toEqual(['b']);
      await a.clear();
      kit.expect(await aColon.get('b')).toBe('in a:');
    });

    test('keys() and clear() of a namespace skip namespaces that extend its name', async (kit) => {
      const base = kit.namespace;
      const short = await kit.store(base);
      const longer = await kit.store(`${base}x`);
      const separated = await kit.store(`${base}:x`);
      await short.set('k', 'short');
      await longer.set('k', 'longer');
      await separated.set('k', 'separated');
      kit.expect(await short.keys()).toEqual(['k']);
      kit.expect(await short.keys('k')).toEqual(['k']);
      await short.clear();
      kit.expect(await longer.get('k')).toBe('longer');
      kit.expect(await separated.get('k')).toBe('separated');
    });
  });
};
