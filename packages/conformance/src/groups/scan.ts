import type { Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

const sorted = (keys: Iterable<string>) => [...keys].sort();

/** Walks a whole scan page by page, within the settle bound of each page. */
async function scanAll(kit: Kit, s: Store, prefix: string, count: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    // A scan that hands out cursors for ever is a hang too.
    if (pages > 100_000) kit.expect.fail(`scan('${prefix}') never completed`);
    const page = await s.scan(prefix, { cursor, count });
    kit.expect(Array.isArray(page.keys), 'a page has a keys array').toBe(true);
    seen.push(...page.keys);
    if (page.cursor === undefined) return seen;
    kit.expect(typeof page.cursor, 'a cursor is a string').toBe('string');
    cursor = page.cursor;
  }
}

async function writeKeys(s: Store, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 200) {
    const chunk = keys.slice(i, i + 200).map((key) => ({ key, value: 1 }));
    await s.setMany(chunk);
  }
}

/**
 * Listing a namespace of any size in pages (RELIABILITY A10): `scan(prefix, { cursor,
 * count })` and `scanIterator(prefix)`. Every key present for the whole scan is returned at
 * least once, never a key outside the prefix or the namespace; a bad cursor or count is
 * refused; an empty namespace completes.
 */
export const describeScan: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('scan', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('scan() of an empty namespace completes with no keys', async (kit) => {
      const s = await kit.store();
      kit.expect(await scanAll(kit, s, '', 10)).toEqual([]);
    });

    test('scan() in small pages returns every key, and only keys of its namespace', async (kit) => {
      const s = await kit.store();
      const other = await kit.store(kit.newNamespace());
      const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
      await writeKeys(s, keys);
      await other.set('foreign', 1);
      const seen = await scanAll(kit, s, '', 37);
      kit.expect(sorted(new Set(seen)), 'the keys scan() returned').toEqual(sorted(keys));
    });

    test('scan(prefix) returns exactly the keys that start with the prefix', async (kit) => {
      const s = await kit.store();
      const wanted = Array.from({ length: 60 }, (_, i) => `user:${i}`);
      await writeKeys(s, [...wanted, 'user', 'use', 'session:1', 'xuser:1']);
      const seen = await scanAll(kit, s, 'user:', 7);
      kit.expect(sorted(new Set(seen))).toEqual(sorted(wanted));
    });

    test('scanIterator() walks every key of a prefix', async (kit) => {
      const s = await kit.store();
      const wanted = Array.from({ length: 120 }, (_, i) => `a:${i}`);
      await writeKeys(s, [...wanted, 'b:1']);
      const seen = new Set<string>();
      let yielded = 0;
      for await (const key of s.scanIterator('a:', { count: 16 })) {
        // An iterator that yields for ever is a hang too.
        if (++yielded > 100_000) kit.expect.fail("scanIterator('a:') never completed");
        seen.add(key);
      }
      kit.expect(sorted(seen)).toEqual(sorted(wanted));
    });

    test('scan() returns every key present for the whole scan while others change', async (kit) => {
      const s = await kit.store();
      const stable = Array.from({ length: 300 }, (_, i) => `stable${i}`);
      await writeKeys(s, stable);
      await writeKeys(
        s,
        Array.from({ length: 100 }, (_, i) => `churn${i}`),
      );
      const seen = new Set<string>();
      let cursor: string | undefined;
      let round = 0;
      do {
        const page = await s.scan('', { cursor, count: 25 });
        for (const key of page.keys) seen.add(key);
        cursor = page.cursor;
        // Between pages: delete some keys, add others, rewrite stable ones.
        await s.delete(`churn${round}`);
        await s.set(`new${round}`, round);
        await s.set(`stable${round}`, round);
        round++;
      } while (cursor !== undefined);
      const missing = stable.filter((key) => !seen.has(key));
      kit.expect(missing, 'keys present for the whole scan that it did not return').toEqual([]);
      for (const key of seen) {
        kit
          .expect(
            /^(stable|churn|new)\d+$/.test(key),
            `scan() returned a key never written: ${key}`,
          )
          .toBe(true);
      }
    });

    test('scan() does not return expired or deleted keys that were gone before it started', async (kit) => {
      const s = await kit.store();
      await writeKeys(s, ['a', 'b', 'c']);
      await s.delete('b');
      kit.expect(sorted(await scanAll(kit, s, '', 10))).toEqual(['a', 'c']);
    });

    test('scan() rejects a cursor it never handed out with INVALID_VALUE', async (kit) => {
      const s = await kit.store();
      await writeKeys(s, ['a']);
      await kit.rejects(
        'scan() with a made-up cursor',
        () => s.scan('', { cursor: 'not a cursor!' }),
        'INVALID_VALUE',
      );
    });

    test('scan() rejects a cursor of a scan of another prefix, or of another namespace, with INVALID_VALUE', async (kit) => {
      const s = await kit.store();
      await writeKeys(
        s,
        Array.from({ length: 40 }, (_, i) => `p${i}`),
      );
      const other = await kit.store(kit.newNamespace());
      await writeKeys(
        other,
        Array.from({ length: 40 }, (_, i) => `p${i}`),
      );
      const { cursor } = await s.scan('', { count: 5 });
      kit.expect(cursor, 'a first page of 5 of 40 keys ends with a cursor').toBeTypeOf('string');
      await kit.rejects(
        'scan() of another prefix with the cursor',
        () => s.scan('p1', { cursor: cursor as string, count: 5 }),
        'INVALID_VALUE',
      );
      await kit.rejects(
        "scan() of another namespace's store with the cursor",
        () => other.scan('', { cursor: cursor as string, count: 5 }),
        'INVALID_VALUE',
      );
    });

    test('scan() rejects a malformed count or cursor with TypeError', async (kit) => {
      const s = await kit.store();
      for (const count of [0, -1, 1.5, 10_001, Number.NaN, '10']) {
        await kit.rejects(
          `scan() with count ${String(count)}`,
          () => s.scan('', { count: count as number }),
          'TypeError',
        );
      }
      await kit.rejects(
        'scan() with a numeric cursor',
        () => s.scan('', { cursor: 5 as unknown as string }),
        'TypeError',
      );
    });

    test('scan() rejects a malformed prefix with INVALID_KEY', async (kit) => {
      const s = await kit.store();
      await kit.rejects(
        'scan() with a number prefix',
        () => s.scan(5 as unknown as string),
        'INVALID_KEY',
      );
    });
  });
};
