import { MAX_ATOMIC_STEPS, type Store } from '@statewire/core';
import { casIncrementLoops } from '../cas-increment.js';
import type { ConformanceGroup } from '../factory.js';
import { describeWhen } from '../gate.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

const LONG_TTL = 60 * 60 * 1000;

/**
 * Keys of one commit share the hash tag `{c}`: a store over a Redis Cluster commits only
 * keys of one slot (and refuses others with `NOT_SUPPORTED`), and keys that share a hash
 * tag share a slot whatever the namespace prefix in front of them.
 */
const k = (name: string) => `{c}${name}`;

/** Asserts that the keys hold `expected` (`undefined`: missing), read in one call. */
async function expectValues(
  kit: Kit,
  s: Store,
  expected: Record<string, unknown>,
  what: string,
): Promise<void> {
  const keys = Object.keys(expected);
  kit.expect(await s.getMany(keys), what).toStrictEqual(Object.values(expected));
}

/** The entries of `keys` when the store has versions (to compare before and after). */
async function entriesOf(kit: Kit, s: Store, keys: string[]): Promise<unknown[]> {
  return kit.capabilities.versions ? s.getEntries(keys) : s.getMany(keys);
}

/**
 * Atomic commits (DESIGN "Versions, compare-and-set, atomic commits"), on stores that declare
 * `atomic`: `atomic()` records checks and mutations and `commit()` applies every mutation, in
 * order, or none — a failed check resolves `{ ok: false, failed }` naming the keys whose check
 * failed; an increment of a non-number, a bad key or value, a malformed option, or more than
 * `MAX_ATOMIC_STEPS` steps reject (`WRONG_TYPE`, `INVALID_*`, `TypeError`, `TOO_LARGE`) and
 * apply nothing; the builder never throws; a commit that times out says whether it may have
 * applied, and shows all of its mutations or none. A successful commit resolves the new
 * version of every key it left set. Compare-and-set increments through commits from several
 * stores at once lose no update. On stores without `atomic`, `commit()` rejects `NOT_SUPPORTED` and
 * writes nothing. Every commit's keys share one hash tag, so that stores over a Redis
 * Cluster run the group too.
 */
export const describeAtomicCommit: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const caps = expectedCapabilities;

  describeWhen('atomic', true, caps.atomic, 'atomic commits', () => {
    const { test } = createHarness(factory, caps, resolved);

    test('commit() with no steps resolves { ok: true, versions: {} }', async (kit) => {
      const s = await kit.store();
      const result = await s.atomic().commit();
      kit.expect(result.ok).toBe(true);
      kit.expect(result.ok ? { ...result.versions } : result).toStrictEqual({});
    });

    test('commit() applies set, increment and delete in order and resolves the versions of the keys it left set', async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: k('gone'), value: 1 },
        { key: k('n'), value: 10 },
      ]);
      const result = await s
        .atomic()
        .set(k('a'), 'x')
        .increment(k('n'), 5)
        .delete(k('gone'))
        .set(k('b'), 1)
        .delete(k('b'))
        .increment(k('fresh'), 2)
        .delete(k('never'))
        .commit();
      kit.expect(result.ok, 'the commit').toBe(true);
      await expectValues(
        kit,
        s,
        {
          [k('a')]: 'x',
          [k('n')]: 15,
          [k('fresh')]: 2,
          [k('gone')]: undefined,
          [k('b')]: undefined,
        },
        'after the commit',
      );
      if (!result.ok || !kit.capabilities.versions) return;
      kit
        .expect(Object.keys(result.versions).sort(), 'versions names the keys left set')
        .toEqual([k('a'), k('fresh'), k('n')].sort());
      for (const key of [k('a'), k('fresh'), k('n')]) {
        kit
          .expect(result.versions[key], `the version of ${key} is what getEntry() reads`)
          .toBe((await s.getEntry(key))?.version);
      }
    });

    test('commit() applies the mutations of one key in order', async (kit) => {
      const s = await kit.store();
      await s.set(k('d'), 'old');
      const result = await s
        .atomic()
        .set(k('n'), 1)
        .increment(k('n'), 2)
        .increment(k('n'))
        .set(k('s'), 'first')
        .delete(k('s'))
        .delete(k('d'))
        .set(k('d'), 'new')
        .set(k('t'), 'first')
        .set(k('t'), 'last')
        .commit();
      kit.expect(result.ok).toBe(true);
      await expectValues(
        kit,
        s,
        { [k('n')]: 4, [k('s')]: undefined, [k('d')]: 'new', [k('t')]: 'last' },
        'after the commit',
      );
    });

    test('commit() with an increment of a non-number rejects WRONG_TYPE and applies nothing', async (kit) => {
      const s = await kit.store();
      await s.setMany([
        { key: k('text'), value: 'x' },
        { key: k('a'), value: 1 },
      ]);
      const keys = [k('text'), k('a'), k('new'), k('b')];
      const before = await entriesOf(kit, s, keys);
      await kit.rejects(
        'commit() with an increment of a string in the middle',
        () =>
          s.atomic().set(k('a'), 2).set(k('new'), 1).increment(k('text')).set(k('b'), 3).commit(),
        'WRONG_TYPE',
      );
      await kit.rejects(
        'commit() that sets a string, then increments it',
        () => s.atomic().set(k('a'), 5).set(k('new'), 'str').increment(k('new'), 1).commit(),
        'WRONG_TYPE',
      );
      kit
        .expect(await entriesOf(kit, s, keys), 'a failed commit applied something')
        .toStrictEqual(before);
    });

    test('commit() with a bad key, value, step or ttl rejects with its code, applies nothing, and the builder never throws', async (kit) => {
      const s = await kit.store();
      await s.set(k('a'), 1);
      const bad: [
        string,
        'INVALID_KEY' | 'INVALID_VALUE' | 'TOO_LARGE' | 'NOT_SUPPORTED' | 'TypeError',
        (op: ReturnType<Store['atomic']>) => unknown,
      ][] = [
        ['a number key', 'INVALID_KEY', (op) => op.set(42 as never, 1)],
        ['the empty key to delete', 'INVALID_KEY', (op) => op.delete('')],
        [
          'a key with a lone surrogate to increment',
          'INVALID_KEY',
          (op) => op.increment('k\uD800' as never),
        ],
        [
          'a key over maxKeyBytes',
          'TOO_LARGE',
          (op) => op.set('k'.repeat(caps.maxKeyBytes + 1), 1),
        ],
        ['an undefined value', 'INVALID_VALUE', (op) => op.set(k('b'), undefined)],
        ['a value holding a function', 'INVALID_VALUE', (op) => op.set(k('b'), { run() {} })],
        ['an increment by 1.5', 'INVALID_VALUE', (op) => op.increment(k('a'), 1.5)],
        caps.ttl
          ? ['a negative ttl', 'TypeError', (op) => op.set(k('b'), 1, { ttl: -1 })]
          : [
              'a ttl on a store without ttl',
              'NOT_SUPPORTED',
              (op) => op.set(k('b'), 1, { ttl: LONG_TTL }),
            ],
      ];
      for (const [name, code, add] of bad) {
        await kit.rejects(
          `commit() with ${name}`,
          () => {
            const op = s.atomic().set(k('a'), 2).set(k('c'), 3);
            add(op);
            return op.increment(k('a')).commit();
          },
          code,
        );
        await expectValues(
          kit,
          s,
          { [k('a')]: 1, [k('b')]: undefined, [k('c')]: undefined },
          `after commit() with ${name}`,
        );
      }
    });

    test(`commit() of more than MAX_ATOMIC_STEPS (${MAX_ATOMIC_STEPS}) steps rejects TOO_LARGE and applies nothing; exactly that many applies`, async (kit) => {
      const s = await kit.store();
      const keys = Array.from({ length: MAX_ATOMIC_STEPS + 1 }, (_, i) => k(`s${i}`));
      const over = s.atomic();
      for (const key of keys) over.set(key, 1);
      await kit.rejects('commit() of too many steps', () => over.commit(), 'TOO_LARGE');
      kit.expect(await s.keys(), 'a commit over the limit wrote').toEqual([]);
      const exact = s.atomic();
      for (const key of keys.slice(1)) exact.set(key, 1);
      kit.expect((await exact.commit()).ok).toBe(true);
      kit.expect((await s.keys()).length).toBe(MAX_ATOMIC_STEPS);
    });

    test('commit() of prototype-named keys resolves their versions as own properties, polluting nothing', async (kit) => {
      const s = await kit.store();
      // One key per commit: these keys cannot share a hash tag.
      for (const [key, value] of [
        ['__proto__', { polluted: true }],
        ['constructor', 2],
      ] as const) {
        const result = await s.atomic().set(key, value).commit();
        kit.expect(result.ok, `commit() of ${key}`).toBe(true);
        kit.expect(await s.get(key)).toStrictEqual(value);
        kit.expect(({} as Record<string, unknown>).polluted, 'Object.prototype').toBeUndefined();
        if (!result.ok || !kit.capabilities.versions) continue;
        kit.expect(Object.hasOwn(result.versions, key), `versions has its own ${key}`).toBe(true);
        kit.expect(typeof result.versions[key], `the version of ${key}`).toBe('string');
      }
    });

    test('commit() that times out says whether it may have applied, and a later read shows all of its mutations or none', async (kit) => {
      const s = await kit.store();
      // Whether these time out depends on the store; each one that does must follow the rule.
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          kit.attempt('commit() with a 1 ms timeout', () =>
            s
              .atomic()
              .set(k(`a${i}`), i)
              .set(k(`b${i}`), i)
              .increment(k(`n${i}`), i + 1)
              .commit({ timeout: 1 }),
          ),
        ),
      );
      for (const [i, outcome] of outcomes.entries()) {
        const [a, b, n] = await s.getMany([k(`a${i}`), k(`b${i}`), k(`n${i}`)]);
        if (outcome.kind === 'resolved') {
          kit.expect([a, b, n], `commit ${i}, which resolved`).toStrictEqual([i, i, i + 1]);
          continue;
        }
        const error =
          outcome.kind === 'rejected'
            ? (outcome.error as { code?: unknown; maybeApplied?: unknown })
            : {};
        kit.expect(error.code, `commit ${i}, which rejected`).toBe('TIMEOUT');
        kit.expect(typeof error.maybeApplied, `maybeApplied of commit ${i}`).toBe('boolean');
        const seen = [a, b, n];
        kit
          .expect(
            [i, i, i + 1].join() === seen.join() || seen.every((v) => v === undefined),
            `commit ${i} timed out and left ${JSON.stringify(seen)}: all of it or none`,
          )
          .toBe(true);
        if (error.maybeApplied === false) {
          kit
            .expect(seen, `commit ${i} said it was not applied`)
            .toStrictEqual([undefined, undefined, undefined]);
        }
      }
    });

    describeWhen('versions', true, caps.versions, 'atomic commits with checks', () => {
      const { test: checkTest } = createHarness(factory, caps, resolved);

      checkTest(
        'commit() with checks that hold applies every mutation; its versions are current',
        async (kit) => {
          const s = await kit.store();
          await s.set(k('a'), 1);
          const version = (await s.getEntry(k('a')))?.version as string;
          const result = await s
            .atomic()
            .check(k('a'), version)
            .check(k('new'), null)
            .set(k('a'), 2)
            .set(k('new'), 'created')
            .commit();
          kit.expect(result.ok).toBe(true);
          if (!result.ok) return;
          kit.expect(result.versions[k('a')], 'the commit gave a new version').not.toBe(version);
          await s.set(k('a'), 3, { ifVersion: result.versions[k('a')] as string });
          await s.delete(k('new'), { ifVersion: result.versions[k('new')] as string });
          await expectValues(
            kit,
            s,
            { [k('a')]: 3, [k('new')]: undefined },
            'after writes at the versions of the commit',
          );
        },
      );

      checkTest(
        'commit() with a failed check resolves { ok: false, failed } naming it, and applies nothing',
        async (kit) => {
          const s = await kit.store();
          await s.setMany([
            { key: k('a'), value: 1 },
            { key: k('b'), value: 1 },
            { key: k('c'), value: 1 },
          ]);
          const [a, b] = (await s.getEntries([k('a'), k('b')])).map((e) => e?.version as string);
          await s.set(k('b'), 2);
          const keys = [k('a'), k('b'), k('c'), k('new')];
          const before = await s.getEntries(keys);
          const result = await s
            .atomic()
            .check(k('a'), a as string)
            .check(k('b'), b as string)
            .check(k('c'), null)
            .check(k('new'), null)
            .set(k('a'), 'changed')
            .delete(k('c'))
            .increment(k('new'))
            .commit();
          kit.expect(result.ok, 'the commit').toBe(false);
          kit
            .expect(result.ok ? [] : [...result.failed].sort(), 'the keys whose check failed')
            .toEqual([k('b'), k('c')].sort());
          kit
            .expect(await s.getEntries(keys), 'a failed check applied something')
            .toStrictEqual(before);
        },
      );

      checkTest(
        'commit() checking a version from before a delete and re-create fails (ABA)',
        async (kit) => {
          const s = await kit.store();
          await s.set(k('a'), 'same');
          const old = (await s.getEntry(k('a')))?.version as string;
          await s.delete(k('a'));
          await s.set(k('a'), 'same');
          const result = await s.atomic().check(k('a'), old).set(k('a'), 'changed').commit();
          kit.expect({ ...result }).toStrictEqual({ ok: false, failed: [k('a')] });
          kit.expect(await s.get(k('a'))).toBe('same');
        },
      );

      checkTest(
        `commit() counts checks as steps: ${MAX_ATOMIC_STEPS} steps apply, one more check is TOO_LARGE`,
        async (kit) => {
          const s = await kit.store();
          const build = (checks: number) => {
            const op = s.atomic();
            for (let i = 0; i < checks; i++) op.check(k(`c${i}`), null);
            for (let i = checks; i < MAX_ATOMIC_STEPS; i++) op.set(k(`s${i}`), i);
            return op;
          };
          await kit.rejects(
            'commit() of too many steps',
            () => build(11).check(k('x'), null).commit(),
            'TOO_LARGE',
          );
          kit.expect(await s.keys(), 'a commit over the limit wrote').toEqual([]);
          kit.expect((await build(10).commit()).ok).toBe(true);
          kit.expect((await s.keys()).length).toBe(MAX_ATOMIC_STEPS - 10);
        },
      );

      checkTest(
        'commit() with a check from several stores of one namespace at once loses no update',
        async (kit) => {
          const stores: Store[] = [];
          for (let i = 0; i < kit.options.atomicStores; i++) stores.push(await kit.store());
          const attempts = Math.max(10, Math.ceil(kit.options.concurrency / stores.length));
          const tally = await casIncrementLoops(stores, k('counter'), attempts, 'atomic');
          kit.expect(tally.errors, 'commits that rejected').toEqual([]);
          const applied = tally.applied.reduce((a, b) => a + b, 0);
          kit.expect(applied, 'at least one commit applied').toBeGreaterThan(0);
          kit.expect(await (stores[0] as Store).get(k('counter'))).toBe(applied);
        },
      );

      checkTest(
        'commit() moving units between two keys from several stores at once keeps their sum',
        async (kit) => {
          const stores: Store[] = [];
          for (let i = 0; i < kit.options.atomicStores; i++) stores.push(await kit.store());
          const [from, to] = [k('from'), k('to')];
          await (stores[0] as Store).setMany([
            { key: from, value: 1000 },
            { key: to, value: 0 },
          ]);
          let moved = 0;
          await Promise.all(
            stores.map(async (s) => {
              for (let i = 0; i < 25; i++) {
                const [a, b] = await s.getEntries([from, to]);
                const result = await s
                  .atomic()
                  .check(from, a?.version ?? null)
                  .check(to, b?.version ?? null)
                  .set(from, (a?.value as number) - 1)
                  .set(to, (b?.value as number) + 1)
                  .commit();
                if (result.ok) moved++;
              }
            }),
          );
          kit.expect(moved).toBeGreaterThan(0);
          kit
            .expect(await (stores[0] as Store).getMany([from, to]))
            .toStrictEqual([1000 - moved, moved]);
        },
      );
    });
  });

  describeWhen('atomic', false, caps.atomic, 'atomic commits not supported', () => {
    const { test } = createHarness(factory, caps, resolved);

    test('commit() of mutations rejects NOT_SUPPORTED and writes nothing', async (kit) => {
      const s = await kit.store();
      await s.set('a', 1);
      await kit.rejects(
        'commit() of set, increment and delete',
        () => s.atomic().set('b', 1).increment('a').delete('a').commit(),
        'NOT_SUPPORTED',
      );
      kit.expect(await s.keys(), 'a rejected commit wrote').toEqual(['a']);
      kit.expect(await s.get('a')).toBe(1);
    });
  });
};
