import type { Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { BATCH_COMPANION_KEY, everyMethod } from '../methods.js';
import { resolveOptions } from '../options.js';
import { summarize } from '../outcome.js';

const malformedOptions: [string, unknown][] = [
  ['timeout -1', { timeout: -1 }],
  ['timeout 0', { timeout: 0 }],
  ["timeout 'x'", { timeout: 'x' }],
  ['timeout NaN', { timeout: Number.NaN }],
  ['timeout Infinity', { timeout: Number.POSITIVE_INFINITY }],
  ['a signal that is not an AbortSignal', { signal: {} }],
  ["signal 'x'", { signal: 'x' }],
  ['options that are a string', 'fast'],
];

/**
 * What a refused call must leave as it was: the namespace's keys, and the value (with
 * versions, the entry: its version too) of each of `keys`.
 */
async function snapshot(kit: Kit, s: Store, keys: string[]) {
  return {
    keys: (await s.keys()).sort(),
    entries: kit.capabilities.versions ? await s.getEntries(keys) : await s.getMany(keys),
  };
}

/**
 * Shutdown and call options (RELIABILITY F36): `close()` settles every pending call
 * (resolved, or rejected `CLOSED`; never left hanging), later calls reject `CLOSED`,
 * `close()` is idempotent and closes only its own store; malformed call options, and an
 * option the call does not take (a misspelt `ttl`, `ifVersion` on `increment`, `ttl` on
 * `delete`, with `atomic` an option of `atomic().set()` at `commit()`), reject with
 * `TypeError` — never ignored — while such an option set to `undefined` asks for nothing and
 * is let through; an already-aborted signal rejects with `ABORTED`; no refused call writes.
 */
export const describeLifecycle: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  const caps = expectedCapabilities;
  describe('lifecycle', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('close() with calls pending settles every call, resolved or rejected CLOSED', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const pending = [];
      for (let round = 0; round < 3; round++) {
        for (const method of everyMethod) {
          pending.push(
            kit.attempt(`${method.name}() pending at close()`, () => method.invoke(s, `k${round}`)),
          );
        }
      }
      const closing = kit.attempt('close()', () => s.close());
      const outcomes = await Promise.all(pending);
      for (const [i, outcome] of outcomes.entries()) {
        const name = (everyMethod[i % everyMethod.length] as { name: string }).name;
        kit
          .expect(
            ['resolved', 'rejected CLOSED'],
            `${name}() pending at close() ${summarize(outcome)}`,
          )
          .toContain(summarize(outcome));
      }
      kit.expect(summarize(await closing, true)).toBe('resolved undefined');
    });

    for (const method of everyMethod) {
      test(`${method.name}() after close() rejects CLOSED`, async (kit) => {
        const s = await kit.store();
        await s.close();
        await kit.rejects(`${method.name}() after close()`, () => method.invoke(s, 'k'), 'CLOSED');
      });
    }

    test('close() twice, or twice at once, resolves each time', async (kit) => {
      const s = await kit.store();
      const [first, second] = await Promise.all([
        kit.attempt('close()', () => s.close()),
        kit.attempt('close() at once', () => s.close()),
      ]);
      kit.expect(summarize(first)).toBe('resolved');
      kit.expect(summarize(second)).toBe('resolved');
      kit.expect(summarize(await kit.attempt('close() again', () => s.close()))).toBe('resolved');
    });

    test('close() of one store leaves the other stores of its namespace working', async (kit) => {
      const closing = await kit.store();
      const staying = await kit.store();
      await closing.set('k', 'before close');
      await closing.close();
      kit.expect(await staying.get('k')).toBe('before close');
      await staying.set('k2', 2);
      kit.expect(await staying.keys()).toHaveLength(2);
    });

    for (const method of everyMethod) {
      test(`${method.name}() rejects malformed call options with TypeError`, async (kit) => {
        const s = await kit.store();
        for (const [name, bad] of malformedOptions) {
          await kit.rejects(
            `${method.name}() with ${name}`,
            () => method.invoke(s, 'k', bad),
            'TypeError',
          );
        }
        kit.expect(await s.keys(), 'a call with malformed options wrote').toEqual([]);
      });

      test(`${method.name}() with an already-aborted signal rejects ABORTED`, async (kit) => {
        const s = await kit.store();
        if (method.name === 'delete' || method.name === 'deleteMany' || method.name === 'clear') {
          await s.setMany([
            { key: 'k', value: 1 },
            { key: BATCH_COMPANION_KEY, value: 1 },
          ]);
        }
        const snapshot = async () => ({
          keys: (await s.keys()).sort(),
          value: await s.get('k'),
        });
        const before = await snapshot();
        const signal = AbortSignal.abort(new Error('stop'));
        await kit.rejects(
          `${method.name}() with an aborted signal`,
          () => method.invoke(s, 'k', { signal }),
          'ABORTED',
        );
        kit.expect(await snapshot(), 'an aborted call changed the store').toStrictEqual(before);
      });
    }

    test('setIfAbsent() rejects an ifVersion option with TypeError and writes nothing, never ignoring it', async (kit) => {
      const s = await kit.store();
      await kit.rejects(
        'setIfAbsent() with ifVersion',
        () => s.setIfAbsent('k', 1, { ifVersion: null } as never),
        'TypeError',
      );
      kit.expect(await s.keys(), 'setIfAbsent() with ifVersion wrote').toEqual([]);
    });

    // An option name a call does not take is refused whatever the capabilities: increment()
    // takes no ifVersion on any store, as setIfAbsent() takes none.
    test('set(), increment() and delete() reject an option they do not take (tll, ifVersion on increment, ttl on delete) with TypeError and write nothing', async (kit) => {
      const s = await kit.store();
      await s.set('k', 1);
      const before = await snapshot(kit, s, ['k', 'fresh']);
      const refused: [string, () => Promise<unknown>][] = [
        ['set() with tll, a misspelt ttl', () => s.set('k', 2, { tll: 10 } as never)],
        ['set() of a missing key with tll', () => s.set('fresh', 2, { tll: 10 } as never)],
        ['increment() with ifVersion', () => s.increment('k', 1, { ifVersion: null } as never)],
        ['delete() with ttl', () => s.delete('k', { ttl: 10 } as never)],
      ];
      for (const [what, call] of refused) {
        await kit.rejects(what, call, 'TypeError');
        kit
          .expect(await snapshot(kit, s, ['k', 'fresh']), `${what} changed the store`)
          .toStrictEqual(before);
      }
    });

    test('set(), increment() and delete() let an option they do not take through when it is undefined: it asks for nothing', async (kit) => {
      const s = await kit.store();
      const set = await kit.attempt('set() with tll: undefined', () =>
        s.set('k', 'v', { tll: undefined } as never),
      );
      kit.expect(summarize(set, true), 'set() with tll: undefined').toBe('resolved undefined');
      const increment = await kit.attempt('increment() with ifVersion: undefined', () =>
        s.increment('n', 2, { ifVersion: undefined } as never),
      );
      kit
        .expect(summarize(increment, true), 'increment() with ifVersion: undefined')
        .toBe('resolved 2');
      kit.expect(await s.getMany(['k', 'n'])).toStrictEqual(['v', 2]);
      const deleted = await kit.attempt('delete() with ttl: undefined', () =>
        s.delete('k', { ttl: undefined } as never),
      );
      kit.expect(summarize(deleted, true), 'delete() with ttl: undefined').toBe('resolved true');
      kit.expect(await s.keys()).toEqual(['n']);
    });

    if (caps.atomic) {
      test('atomic().set() with an option it does not take (tll) makes commit() reject TypeError and write nothing, the builder never throwing; tll: undefined commits', async (kit) => {
        // Keys of one commit share a hash tag (see the atomic commits group).
        const a = '{c}a';
        const b = '{c}b';
        const s = await kit.store();
        await s.set(a, 1);
        const before = await snapshot(kit, s, [a, b]);
        await kit.rejects(
          'commit() of atomic().set() with tll',
          () =>
            s
              .atomic()
              .set(b, 2)
              .set(a, 2, { tll: 10 } as never)
              .commit(),
          'TypeError',
        );
        kit
          .expect(await snapshot(kit, s, [a, b]), 'a refused commit changed the store')
          .toStrictEqual(before);
        const outcome = await kit.attempt('commit() of atomic().set() with tll: undefined', () =>
          s
            .atomic()
            .set(b, 2)
            .set(a, 2, { tll: undefined } as never)
            .commit(),
        );
        kit.expect(summarize(outcome)).toBe('resolved');
        kit.expect(outcome.kind === 'resolved' && outcome.value.ok, 'the commit is ok').toBe(true);
        kit.expect(await s.getMany([a, b])).toStrictEqual([2, 2]);
      });
    }

    test('get() aborted while pending settles, resolved or rejected ABORTED', async (kit) => {
      const s = await kit.store();
      const controller = new AbortController();
      const pending = kit.attempt('get()', () => s.get('k', { signal: controller.signal }));
      controller.abort();
      kit.expect(['resolved', 'rejected ABORTED']).toContain(summarize(await pending));
      kit.expect(await s.get('k')).toBeUndefined();
    });

    test('get() with a 1 ms timeout settles, resolved or rejected TIMEOUT', async (kit) => {
      const s: Store = await kit.store();
      const outcome = await kit.attempt('get() with timeout 1', () => s.get('k', { timeout: 1 }));
      kit.expect(['resolved', 'rejected TIMEOUT']).toContain(summarize(outcome));
      kit.expect(await s.get('k')).toBeUndefined();
    });
  });
};
