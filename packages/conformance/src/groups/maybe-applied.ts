import type { StateErrorCode, Store } from '@statewire/core';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

interface Case {
  readonly what: string;
  readonly code: StateErrorCode;
  call(s: Store): Promise<unknown>;
}

const aborted = () => AbortSignal.abort();

/** Writes refused before anything is sent, or rejected by the holder: nothing applied. */
const unappliedWrites: readonly Case[] = [
  { what: 'set() of the empty key', code: 'INVALID_KEY', call: (s) => s.set('', 1) },
  { what: 'set() of undefined', code: 'INVALID_VALUE', call: (s) => s.set('k', undefined) },
  { what: 'delete() of the empty key', code: 'INVALID_KEY', call: (s) => s.delete('') },
  {
    what: 'setMany() with an empty key',
    code: 'INVALID_KEY',
    call: (s) => s.setMany([{ key: '', value: 1 }]),
  },
  { what: 'deleteMany() with an empty key', code: 'INVALID_KEY', call: (s) => s.deleteMany(['']) },
  { what: 'increment() by a fraction', code: 'INVALID_VALUE', call: (s) => s.increment('n', 0.5) },
  {
    what: 'setIfAbsent() of a function',
    code: 'INVALID_VALUE',
    call: (s) => s.setIfAbsent('k', (() => 1) as never),
  },
  {
    what: 'set() with an aborted signal',
    code: 'ABORTED',
    call: (s) => s.set('k', 1, { signal: aborted() }),
  },
  {
    what: 'clear() with an aborted signal',
    code: 'ABORTED',
    call: (s) => s.clear({ signal: aborted() }),
  },
  {
    what: 'increment() of a stored string (rejected by the holder)',
    code: 'WRONG_TYPE',
    call: async (s) => {
      await s.set('text', 'not a number');
      return s.increment('text');
    },
  },
];

const reads: readonly Case[] = [
  { what: 'get() of the empty key', code: 'INVALID_KEY', call: (s) => s.get('') },
  { what: 'has() of the empty key', code: 'INVALID_KEY', call: (s) => s.has('') },
  { what: 'getMany() with an empty key', code: 'INVALID_KEY', call: (s) => s.getMany(['']) },
  {
    what: 'keys() with a lone-surrogate prefix',
    code: 'INVALID_KEY',
    call: (s) => s.keys('\uD800'),
  },
  {
    what: 'get() with an aborted signal',
    code: 'ABORTED',
    call: (s) => s.get('k', { signal: aborted() }),
  },
];

const closedWrites: readonly Case[] = [
  { what: 'set()', code: 'CLOSED', call: (s) => s.set('k', 1) },
  { what: 'delete()', code: 'CLOSED', call: (s) => s.delete('k') },
  { what: 'clear()', code: 'CLOSED', call: (s) => s.clear() },
  { what: 'setMany()', code: 'CLOSED', call: (s) => s.setMany([{ key: 'k', value: 1 }]) },
  { what: 'deleteMany()', code: 'CLOSED', call: (s) => s.deleteMany(['k']) },
  { what: 'increment()', code: 'CLOSED', call: (s) => s.increment('n') },
  { what: 'setIfAbsent()', code: 'CLOSED', call: (s) => s.setIfAbsent('k', 1) },
];

async function maybeAppliedOf(kit: Kit, s: Store, c: Case): Promise<unknown> {
  const error = await kit.rejects(c.what, () => c.call(s), c.code);
  return typeof error === 'object' && error !== null && 'maybeApplied' in error
    ? (error as { maybeApplied: unknown }).maybeApplied
    : 'absent';
}

/**
 * The `maybeApplied` rule (issue 12 item 14), the same on every store: every rejection of
 * a write carries `maybeApplied` as a boolean — `false` when nothing was applied (refused
 * before it was sent, rejected by the holder, the store closed), `true` only when the
 * write may have been applied and the store cannot know (sent, then timed out, aborted or
 * cut off) — and a read never carries it.
 */
export const describeMaybeApplied: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('maybeApplied', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('writes refused before they are sent, or rejected by the holder, carry maybeApplied: false', async (kit) => {
      const s = await kit.store();
      for (const c of unappliedWrites)
        kit.expect(await maybeAppliedOf(kit, s, c), c.what).toBe(false);
    });

    test('reads never carry maybeApplied', async (kit) => {
      const s = await kit.store();
      for (const c of reads) kit.expect(await maybeAppliedOf(kit, s, c), c.what).toBe('absent');
    });

    test('every write of a closed store carries maybeApplied: false; its reads none', async (kit) => {
      const s = await kit.store();
      await s.close();
      for (const c of closedWrites)
        kit.expect(await maybeAppliedOf(kit, s, c), `${c.what} after close()`).toBe(false);
      const read = { what: 'get() after close()', code: 'CLOSED', call: (t: Store) => t.get('k') };
      kit.expect(await maybeAppliedOf(kit, s, read as Case), read.what).toBe('absent');
    });

    test('a write that times out says whether it may have applied (a boolean), a read that times out does not', async (kit) => {
      const s = await kit.store();
      // Whether these time out depends on the store; each one that does must follow the rule.
      const writes = Array.from({ length: 200 }, (_, i) =>
        kit.attempt('set() with a 1 ms timeout', () => s.set(`t:${i}`, i, { timeout: 1 })),
      );
      const readCalls = Array.from({ length: 200 }, (_, i) =>
        kit.attempt('get() with a 1 ms timeout', () => s.get(`t:${i}`, { timeout: 1 })),
      );
      for (const outcome of await Promise.all(writes)) {
        if (outcome.kind !== 'rejected') continue;
        const error = outcome.error as { code?: unknown; maybeApplied?: unknown };
        kit.expect(error.code, 'a set() that rejects').toBe('TIMEOUT');
        kit.expect(typeof error.maybeApplied, 'maybeApplied of a timed-out set()').toBe('boolean');
      }
      for (const outcome of await Promise.all(readCalls)) {
        if (outcome.kind !== 'rejected') continue;
        kit.expect('maybeApplied' in (outcome.error as object), 'a timed-out get()').toBe(false);
      }
    });
  });
};
