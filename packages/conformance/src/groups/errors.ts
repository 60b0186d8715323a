import { type Capabilities, StateError, type StateErrorCode, type Store } from '@statewire/core';
import { isStateErrorCode } from '@statewire/core/transport';
import { describe } from 'vitest';
import type { ConformanceGroup } from '../factory.js';
import { createHarness, type Kit } from '../harness.js';
import { resolveOptions } from '../options.js';

/** A distinctive string hidden in invalid keys and values: no error message may repeat it. */
const SECRET = 'sw-secret-5e1f9c';

interface Failure {
  readonly what: string;
  readonly code: StateErrorCode;
  call(s: Store): Promise<unknown>;
}

function failures(caps: Capabilities): Failure[] {
  const aborted = () => AbortSignal.abort(new Error(SECRET));
  const list: Failure[] = [
    { what: 'get() of a number key', code: 'INVALID_KEY', call: (s) => s.get(42 as never) },
    { what: 'set() of the empty key', code: 'INVALID_KEY', call: (s) => s.set('', SECRET) },
    {
      what: 'has() of a key with a lone surrogate',
      code: 'INVALID_KEY',
      call: (s) => s.has(`${SECRET}\uD800`),
    },
    {
      what: 'keys() with a lone-surrogate prefix',
      code: 'INVALID_KEY',
      call: (s) => s.keys(`${SECRET}\uDC00`),
    },
    {
      what: 'get() of a key over maxKeyBytes',
      code: 'TOO_LARGE',
      call: (s) => s.get(SECRET + 'x'.repeat(caps.maxKeyBytes)),
    },
    {
      what: 'set() of a value holding a function',
      code: 'INVALID_VALUE',
      call: (s) => s.set('k', { note: SECRET, run() {} }),
    },
    {
      what: 'setMany() of a value holding a symbol',
      code: 'INVALID_VALUE',
      call: (s) => s.setMany([{ key: 'k', value: [SECRET, Symbol(SECRET)] }]),
    },
    {
      what: 'setIfAbsent() of top-level undefined',
      code: 'INVALID_VALUE',
      call: (s) => s.setIfAbsent('k', undefined),
    },
    {
      what: 'increment() by a fraction',
      code: 'INVALID_VALUE',
      call: (s) => s.increment(SECRET, 0.5),
    },
    {
      what: 'increment() of a stored string',
      code: 'WRONG_TYPE',
      call: async (s) => {
        await s.set('text', SECRET);
        return s.increment('text');
      },
    },
    {
      what: 'get() with an aborted signal',
      code: 'ABORTED',
      call: (s) => s.get('k', { signal: aborted() }),
    },
    {
      what: 'set() with an aborted signal',
      code: 'ABORTED',
      call: (s) => s.set('k', SECRET, { signal: aborted() }),
    },
    {
      what: 'set() after close()',
      code: 'CLOSED',
      call: async (s) => {
        await s.close();
        return s.set('k', SECRET);
      },
    },
  ];
  if (!caps.ttl) {
    list.push({
      what: 'set() with a ttl',
      code: 'NOT_SUPPORTED',
      call: (s) => s.set('k', SECRET, { ttl: 1000 }),
    });
  }
  return list;
}

async function collect(kit: Kit, caps: Capabilities): Promise<[Failure, unknown][]> {
  const found: [Failure, unknown][] = [];
  for (const failure of failures(caps)) {
    // A fresh store each: one failure (close) must not cause the next.
    const s = await kit.store();
    found.push([failure, await kit.rejects(failure.what, () => failure.call(s), failure.code)]);
  }
  return found;
}

/**
 * The error contract (RELIABILITY F37): every rejection the suite provokes is a
 * `StateError` — recognised with `StateError.is()`, so across duplicate copies of core —
 * with a stable code from the closed list and a non-empty message that does not repeat the
 * key or value it is about; a call rejected before it was sent never claims
 * `maybeApplied: true`.
 */
export const describeErrors: ConformanceGroup = (factory, expectedCapabilities, options) => {
  const resolved = resolveOptions(options);
  describe('errors', () => {
    const { test } = createHarness(factory, expectedCapabilities, resolved);

    test('get(), set() and every other method reject with a StateError with a known code and a message', async (kit) => {
      for (const [failure, error] of await collect(kit, expectedCapabilities)) {
        kit.expect(StateError.is(error), `${failure.what}: StateError.is()`).toBe(true);
        kit.expect(error, failure.what).toBeInstanceOf(Error);
        const { code, message, name } = error as StateError;
        kit.expect(isStateErrorCode(code), `${failure.what}: code ${String(code)}`).toBe(true);
        kit.expect(code, failure.what).toBe(failure.code);
        kit.expect(name, `${failure.what}: name`).toBe('StateError');
        kit.expect(typeof message, `${failure.what}: message`).toBe('string');
        kit.expect(message.trim(), `${failure.what}: message`).not.toBe('');
      }
    });

    test('get(), set() and every other method reject with messages that leave out the key and the value', async (kit) => {
      for (const [failure, error] of await collect(kit, expectedCapabilities)) {
        kit.expect(String((error as Error).message), failure.what).not.toContain(SECRET);
      }
    });

    test('get(), set() and every other method leave maybeApplied unset on calls never applied', async (kit) => {
      for (const [failure, error] of await collect(kit, expectedCapabilities)) {
        kit.expect((error as StateError).maybeApplied, failure.what).not.toBe(true);
      }
    });
  });
};
