import { StateError, type Store } from '@statewire/core';
import { casIncrementLoops } from '../cas-increment.js';
import type { ConformanceGroup } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

const LONG_TTL = 60 * 60 * 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An entry as a plain object with its own properties, so that it compares by content: the
 * shape of an entry is `{ value, version }`, whatever object holds it.
 */
const plain = (entry: object | undefined) => (entry === undefined ? undefined : { ...entry });

/** The version of `key`, failing the test when the key is missing or the entry malformed. */
async function versionOf(kit: Kit, s: Store, key: string): Promise<string> {
  const entry = await s.getEntry(key);
  kit.expect(entry, `getEntry(${JSON.stringify(key)}) of a key that exists`).toBeDefined();
  const version = entry?.version;
  kit.expect(typeof version, 'a version is a string').toBe('string');
  kit.expect(version, 'a version is not empty').not.toBe('');
  return version as string;
}

/**
 * Asserts that `call` rejects `CONFLICT` with `maybeApplied: false`: a failed check is
 * known not to have written anything.
 */
async function expectConflict(kit: Kit, what: string, call: () => unknown): Promise<void> {
  const error = await kit.rejects(what, call, 'CONFLICT');
  kit
    .expect(StateError.is(error) ? error.maybeApplied : 'not a StateError', `${what}: maybeApplied`)
    .toBe(false);
}

/**
 * Versions and compare-and-set (DESIGN "Versions, compare-and-set, atomic commits"), on
 * stores that declare `versions`: `getEntry` / `getEntries` resolve `{ value, version }`
 * aligned with the keys; `set` and `delete` with `ifVersion` write only at that version
 * (`null`: only when missing) and otherwise reject `CONFLICT` with `maybeApplied: false`,
 * writing nothing; every kind of write gives the key a new version and reads never do; a
 * version is never reused for a key — not after a delete and re-create of the same value
 * (ABA), not after expiry, not over 10,000 writes; compare-and-set increments from several
 * stores at once lose no update. On stores without `versions`, every one of these calls
 * rejects `NOT_SUPPORTED` and writes nothing: a store must never ignore `ifVersion`.
 */
export const describeVersions: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const caps = expectedCapabilities;

  describeWhen('versions', true, caps.versions, 'versions', () => {
    const { test } = createHarness(factory, caps, resolved);

    test('getEntry() of a missing key resolves undefined; of a stored key, its value and a version', async (kit) => {
      const s = await kit.store();
      kit.expect(await s.getEntry('missing')).toBeUndefined();
      for (const [key, value] of [
        ['zero', 0],
        ['false', false],
        ['empty', ''],
        ['null', null],
        ['object', { a: [1, 'two'] }],
      ] as const) {
        await s.set(key, value);
        const entry = await s.getEntry(key);
        kit
          .expect(plain(entry), `getEntry() of ${key}`)
          .toStrictEqual({ value, version: kit.expect.any(String) });
        kit.expect(entry?.version.length, `the version of ${key} is not empty`).toBeGreaterThan(0);
      }
    });

    test('getEntries() resolves entries aligned with the keys, undefined where missing', async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 'two' },
      ]);
      kit.expect(await s.getEntries([])).toStrictEqual([]);
      const entries = await s.getEntries(['b', 'missing', 'a', 'b']);
      kit
        .expect(Array.isArray(entries) ? entries.map(plain) : entries)
        .toStrictEqual([
          { value: 'two', version: kit.expect.any(String) },
          undefined,
          { value: 1, version: kit.expect.any(String) },
          { value: 'two', version: kit.expect.any(String) },
        ]);
      kit
        .expect(entries[3]?.version, 'a key asked twice has one version')
        .toBe(entries[0]?.version);
      kit
        .expect(entries[0]?.version, 'getEntries() agrees with getEntry()')
        .toBe(await versionOf(kit, s, 'b'));
    });

    test('getEntry() and getEntries() reject bad keys like get() does', async (kit) => {
      const s = await kit.store();
      await kit.rejects('getEntry() of a number', () => s.getEntry(42 as never), 'INVALID_KEY');
      await kit.rejects("getEntry('')", () => s.getEntry(''), 'INVALID_KEY');
      await kit.rejects(
        'getEntry() of a key over maxKeyBytes',
        () => s.getEntry('k'.repeat(caps.maxKeyBytes + 1)),
        'TOO_LARGE',
      );
      await kit.rejects(
        'getEntries() with one bad key',
        () => s.getEntries(['a', '\uD800']),
        'INVALID_KEY',
      );
    });

    test('getEntry() resolves the same version until the key is written: reads never change it', async (kit) => {
      const s = await kit.store();
      const other = await kit.store();
      await s.set('k', 'v');
      const version = await versionOf(kit, s, 'k');
      await s.get('k');
      await s.has('k');
      await s.getMany(['k']);
      await s.keys();
      await s.getEntries(['k']);
      kit.expect(await versionOf(kit, s, 'k')).toBe(version);
      kit.expect(await versionOf(kit, other, 'k'), 'another store of the namespace').toBe(version);
    });

    test('set() with ifVersion of the current version writes and gives a new version', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const before = await versionOf(kit, s, 'k');
      await s.set('k', 2, { ifVersion: before });
      const after = await s.getEntry('k');
      kit.expect(after?.value).toBe(2);
      kit.expect(after?.version, 'the write gave a new version').not.toBe(before);
    });

    test('set() with a stale ifVersion rejects CONFLICT (maybeApplied: false), writes nothing and keeps the version', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const stale = await versionOf(kit, s, 'k');
      await s.set('k', 2);
      const current = await versionOf(kit, s, 'k');
      await expectConflict(kit, 'set() with a stale ifVersion', () =>
        s.set('k', 3, { ifVersion: stale }),
      );
      await expectConflict(kit, 'set() with a version never handed out', () =>
        s.set('k', 3, { ifVersion: `${current}x` }),
      );
      kit.expect(plain(await s.getEntry('k')), 'a failed check wrote').toStrictEqual({
        value: 2,
        version: current,
      });
      await expectConflict(kit, 'set() of a missing key with a version', () =>
        s.set('missing', 1, { ifVersion: current }),
      );
      kit.expect(await s.has('missing'), 'a failed check created the key').toBe(false);
    });

    test('set() with ifVersion: null creates a missing key, and rejects CONFLICT when it exists', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'first', { ifVersion: null });
      const version = await versionOf(kit, s, 'k');
      kit.expect(await s.get('k')).toBe('first');
      await expectConflict(kit, 'set() with ifVersion: null of an existing key', () =>
        s.set('k', 'second', { ifVersion: null }),
      );
      kit.expect(plain(await s.getEntry('k'))).toStrictEqual({ value: 'first', version });
    });

    test('set() with ifVersion: undefined is an unconditional set', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      await s.set('k', 2, { ifVersion: undefined });
      await s.set('new', 3, { ifVersion: undefined });
      kit.expect(await s.getMany(['k', 'new'])).toStrictEqual([2, 3]);
    });

    test('set() with ifVersion and a ttl writes both', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const version = await versionOf(kit, s, 'k');
      const ttl = caps.ttl ? { ttl: LONG_TTL } : {};
      await s.set('k', 2, { ifVersion: version, ...ttl });
      kit.expect(await s.get('k')).toBe(2);
    });

    test('delete() with ifVersion deletes at that version only, else rejects CONFLICT and keeps the key', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const stale = await versionOf(kit, s, 'k');
      await s.set('k', 2);
      const current = await versionOf(kit, s, 'k');
      await expectConflict(kit, 'delete() with a stale ifVersion', () =>
        s.delete('k', { ifVersion: stale }),
      );
      await expectConflict(kit, 'delete() with ifVersion: null of an existing key', () =>
        s.delete('k', { ifVersion: null }),
      );
      kit.expect(plain(await s.getEntry('k')), 'a failed check deleted').toStrictEqual({
        value: 2,
        version: current,
      });
      kit.expect(await s.delete('k', { ifVersion: current }), 'delete() at the version').toBe(true);
      kit.expect(await s.has('k')).toBe(false);
      kit
        .expect(
          await s.delete('k', { ifVersion: null }),
          'delete() of a missing key, ifVersion: null',
        )
        .toBe(false);
      await expectConflict(kit, 'delete() of a missing key with a version', () =>
        s.delete('k', { ifVersion: current }),
      );
    });

    test('set() and delete() reject a malformed ifVersion with TypeError and write nothing', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      for (const [name, bad] of [
        ['a number', 42],
        ['an object', {}],
      ] as const) {
        await kit.rejects(
          `set() with ifVersion ${name}`,
          () => s.set('k', 2, { ifVersion: bad as never }),
          'TypeError',
        );
        await kit.rejects(
          `delete() with ifVersion ${name}`,
          () => s.delete('k', { ifVersion: bad as never }),
          'TypeError',
        );
      }
      kit.expect(await s.get('k'), 'a malformed ifVersion wrote').toBe(1);
    });

    test('set() after delete() of the same value gives a new version, and the old one never matches again (ABA)', async (kit) => {
      const s = await kit.store();
      await s.set('k', 'same');
      const first = await versionOf(kit, s, 'k');
      await s.delete('k');
      await s.set('k', 'same');
      const second = await versionOf(kit, s, 'k');
      kit.expect(second, 'delete and re-create reused the version').not.toBe(first);
      await expectConflict(kit, 'set() with the version from before the delete', () =>
        s.set('k', 'changed', { ifVersion: first }),
      );
      await expectConflict(kit, 'delete() with the version from before the delete', () =>
        s.delete('k', { ifVersion: first }),
      );
      await s.deleteMany(['k']);
      await s.setMany([{ key: 'k', value: 'same' }]);
      const third = await versionOf(kit, s, 'k');
      kit.expect([first, second], 'deleteMany and setMany reused a version').not.toContain(third);
      await s.clear();
      kit.expect(await s.setIfAbsent('k', 'same')).toBe(true);
      const fourth = await versionOf(kit, s, 'k');
      kit
        .expect([first, second, third], 'clear and setIfAbsent reused a version')
        .not.toContain(fourth);
    });

    test('every kind of write gives a new version; a write that does not happen keeps it', async (kit) => {
      const s = await kit.store();
      const seen: string[] = [];
      const expectNew = async (what: string) => {
        const version = await versionOf(kit, s, 'n');
        kit.expect(seen, `${what} did not give a new version`).not.toContain(version);
        seen.push(version);
      };
      const expectSame = async (what: string) => {
        kit.expect(await versionOf(kit, s, 'n'), `${what} changed the version`).toBe(seen.at(-1));
      };
      kit.expect(await s.setIfAbsent('n', 1), 'setIfAbsent() of a missing key').toBe(true);
      await expectNew('setIfAbsent() that set');
      kit.expect(await s.setIfAbsent('n', 2), 'setIfAbsent() of an existing key').toBe(false);
      await expectSame('setIfAbsent() that did not set');
      await s.set('n', 1);
      await expectNew('set() of the same value');
      await s.setMany([
        { key: 'n', value: 1 },
        { key: 'other', value: 1 },
      ]);
      await expectNew('setMany()');
      await s.increment('n', 0);
      await expectNew('increment() by 0');
      await s.increment('n', 5);
      await expectNew('increment()');
      await s.set('n', 6, { ifVersion: seen.at(-1) as string });
      await expectNew('set() with ifVersion');
      if (caps.atomic) {
        await s.atomic().set('n', 6).commit();
        await expectNew('atomic() set');
        await s.atomic().increment('n', 1).commit();
        await expectNew('atomic() increment');
        await s
          .atomic()
          .check('n', seen.at(-1) as string)
          .commit();
        await expectSame('atomic() with only a check');
      }
      await s.set('other', 2);
      await s.delete('other');
      await expectSame('a write of another key');
      await s.set('text', 'x');
      await kit.rejects('increment() of a string', () => s.increment('text'), 'WRONG_TYPE');
      const text = await versionOf(kit, s, 'text');
      await kit.rejects('increment() of a string', () => s.increment('text'), 'WRONG_TYPE');
      kit.expect(await versionOf(kit, s, 'text'), 'a failed increment() changed it').toBe(text);
    });

    test('10,000 writes give 10,000 versions, none repeated for its key', async (kit) => {
      const s = await kit.store();
      const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
      const versions = new Map<string, Set<string>>(keys.map((key) => [key, new Set()]));
      for (let round = 0; round < 100; round++) {
        // Every tenth round starts from deleted keys: a re-created key must not go back to an
        // old version either.
        if (round % 10 === 9) kit.expect(await s.deleteMany(keys)).toBe(keys.length);
        await s.setMany(keys.map((key) => ({ key, value: round % 3 })));
        const entries = await s.getEntries(keys);
        for (const [i, key] of keys.entries()) {
          const version = entries[i]?.version;
          const seen = versions.get(key) as Set<string>;
          if (version === undefined || seen.has(version)) {
            kit.expect.fail(
              `round ${round}: ${key} ${version === undefined ? 'has no version' : `got a version it had before: ${version}`}`,
            );
          }
          seen.add(version as string);
        }
      }
      kit.expect([...versions.values()].reduce((sum, seen) => sum + seen.size, 0)).toBe(10_000);
    });

    test('set() with ifVersion from several stores of one namespace at once loses no update', async (kit) => {
      const stores: Store[] = [];
      for (let i = 0; i < kit.options.atomicStores; i++) stores.push(await kit.store());
      const attempts = Math.max(10, Math.ceil(kit.options.concurrency / stores.length));
      const tally = await casIncrementLoops(stores, 'counter', attempts, 'set');
      kit.expect(tally.errors, 'calls that failed other than with CONFLICT').toEqual([]);
      const applied = tally.applied.reduce((a, b) => a + b, 0);
      kit.expect(applied, 'at least one compare-and-set applied').toBeGreaterThan(0);
      kit
        .expect(await (stores[0] as Store).get('counter'), 'the counter after every loop')
        .toBe(applied);
    });

    test('set() with ifVersion: null from several stores at once creates the key once', async (kit) => {
      const stores: Store[] = [];
      for (let i = 0; i < kit.options.atomicStores; i++) stores.push(await kit.store());
      const n = kit.options.concurrency;
      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          kit.attempt('set() with ifVersion: null', () =>
            (stores[i % stores.length] as Store).set('once', i, { ifVersion: null }),
          ),
        ),
      );
      const winners = outcomes.flatMap((o, i) => (o.kind === 'resolved' ? [i] : []));
      kit.expect(winners, 'exactly one create-only set() must apply').toHaveLength(1);
      for (const o of outcomes) {
        if (o.kind === 'resolved') continue;
        kit.expect(StateError.is(o.error) ? o.error.code : o.kind).toBe('CONFLICT');
      }
      kit.expect(await (stores[1 % stores.length] as Store).get('once')).toBe(winners[0]);
    });

    describeWhen('ttl', true, caps.ttl, 'versions and ttl', () => {
      const { test: ttlTest } = createHarness(factory, caps, resolved);

      ttlTest(
        'getEntry() of an expired key resolves undefined; its version never matches again',
        async (kit) => {
          const s = await kit.store();
          await s.set('k', 'v', { ttl: kit.options.ttl });
          const old = await versionOf(kit, s, 'k');
          const deadline = performance.now() + kit.options.expiryTimeout;
          while ((await s.getEntry('k')) !== undefined) {
            if (performance.now() > deadline) {
              kit.expect.fail(
                `k, set with a ttl of ${kit.options.ttl} ms, was still there after ${kit.options.expiryTimeout} ms`,
              );
            }
            await pause(Math.min(25, kit.options.ttl));
          }
          kit.expect(await s.getEntries(['k'])).toStrictEqual([undefined]);
          await expectConflict(kit, 'set() of an expired key with its old version', () =>
            s.set('k', 'w', { ifVersion: old }),
          );
          await s.set('k', 'v', { ifVersion: null });
          const renewed = await versionOf(kit, s, 'k');
          kit.expect(renewed, 'the re-created key reused the expired version').not.toBe(old);
          await expectConflict(kit, 'set() with the expired version', () =>
            s.set('k', 'w', { ifVersion: old }),
          );
          kit.expect(plain(await s.getEntry('k'))).toStrictEqual({ value: 'v', version: renewed });
        },
      );
    });
  });

  describeWhen('versions', false, caps.versions, 'versions not supported', () => {
    const { test } = createHarness(factory, caps, resolved);

    test('getEntry(), getEntries(), ifVersion and atomic().check() reject NOT_SUPPORTED and write nothing', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      await kit.rejects('getEntry()', () => s.getEntry('k'), 'NOT_SUPPORTED');
      await kit.rejects('getEntries()', () => s.getEntries(['k']), 'NOT_SUPPORTED');
      for (const ifVersion of ['v1', null]) {
        const name = `ifVersion: ${JSON.stringify(ifVersion)}`;
        await kit.rejects(
          `set() with ${name}`,
          () => s.set('k', 2, { ifVersion }),
          'NOT_SUPPORTED',
        );
        await kit.rejects(
          `set() of a new key with ${name}`,
          () => s.set('new', 2, { ifVersion }),
          'NOT_SUPPORTED',
        );
        await kit.rejects(
          `delete() with ${name}`,
          () => s.delete('k', { ifVersion }),
          'NOT_SUPPORTED',
        );
        await kit.rejects(
          `atomic().check() with ${name}`,
          () => s.atomic().check('k', ifVersion).set('new', 2).commit(),
          'NOT_SUPPORTED',
        );
      }
      kit.expect(await s.keys(), 'a rejected call wrote or deleted').toEqual(['k']);
      kit.expect(await s.get('k'), 'a rejected call wrote').toBe(1);
    });
  });
};
