import type { Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness } from '../harness.js';
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
 * Shutdown and call options (RELIABILITY F36): `close()` settles every pending call
 * (resolved, or rejected `CLOSED`; never left hanging), later calls reject `CLOSED`,
 * `close()` is idempotent and closes only its own store; malformed call options reject
 * with `TypeError`, an already-aborted signal with `ABORTED`, and neither writes anything.
 */
export const describeLifecycle: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
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
