import { createMemoryStore, type Store } from '@statewire/core';
import { afterAll, describe, it } from 'vitest';
import { boundedStore } from '../src/bounded-store.js';
import { createHarness } from '../src/harness.js';
import { resolveOptions } from '../src/options.js';
import { NotSettledError } from '../src/settles-within.js';

const BOUND_MS = 50;

const never = () => new Promise<never>(() => {});

const memory = createMemoryStore();
afterAll(() => memory.close());

/**
 * A store whose `get()`, atomic commits and scan pages never settle; its other calls go to
 * a memory store (through arrow functions: the memory store's methods need it as `this`).
 */
function hangingStore(inner: Store): Store {
  const builder = {
    set: () => builder,
    check: () => builder,
    delete: () => builder,
    increment: () => builder,
    commit: never,
  };
  return {
    get capabilities() {
      return inner.capabilities;
    },
    get: never,
    set: (key: string, value: unknown, opts?: object) => inner.set(key, value, opts),
    keys: (prefix?: string) => inner.keys(prefix),
    clear: () => inner.clear(),
    close: () => inner.close(),
    atomic: () => builder,
    scanIterator: () => ({
      next: never,
      [Symbol.asyncIterator]() {
        return this;
      },
    }),
  } as unknown as Store;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('boundedStore()', () => {
  it('a call that never settles rejects NotSettledError naming the method', async ({ expect }) => {
    const s = boundedStore(hangingStore(memory), BOUND_MS);
    const error = await rejectionOf(s.get('k'));
    expect(error).toBeInstanceOf(NotSettledError);
    expect((error as Error).message).toBe(`get() did not settle within ${BOUND_MS} ms`);
  });

  it('atomic().commit() and scanIterator().next() are bounded too', async ({ expect }) => {
    const s = boundedStore(hangingStore(memory), BOUND_MS);
    const commit = await rejectionOf(s.atomic().set('a', 1).check('b', null).commit());
    expect((commit as Error).message).toBe(
      `atomic().commit() did not settle within ${BOUND_MS} ms`,
    );
    const iterator = s.scanIterator();
    expect(iterator[Symbol.asyncIterator](), 'the iterator is its own iterable').toBe(iterator);
    const next = await rejectionOf(iterator.next());
    expect((next as Error).message).toBe(
      `scanIterator().next() did not settle within ${BOUND_MS} ms`,
    );
  });

  it('a builder method that returns its builder returns the bounded builder', ({ expect }) => {
    const op = boundedStore(hangingStore(memory), BOUND_MS).atomic();
    expect(op.set('a', 1)).toBe(op);
    expect(op.check('a', null).delete('b').increment('c')).toBe(op);
  });

  it('calls settle like the store: values, errors and private state', async ({ expect }) => {
    const raw = createMemoryStore();
    const s = boundedStore(raw, 10_000);
    try {
      await s.set('k', { n: 1 });
      expect(await s.get('k')).toStrictEqual({ n: 1 });
      expect(await raw.get('k'), 'the call reached the store').toStrictEqual({ n: 1 });
      const keys: string[] = [];
      for await (const key of s.scanIterator()) keys.push(key);
      expect(keys).toEqual(['k']);
      const error = await rejectionOf(s.get(''));
      expect((error as { code?: unknown }).code).toBe('INVALID_KEY');
    } finally {
      await raw.close();
    }
  });

  it("properties, the prototype and each method are the store's own", ({ expect }) => {
    const s = boundedStore(memory, BOUND_MS);
    expect(s.capabilities).toBe(memory.capabilities);
    expect(Object.getPrototypeOf(s)).toBe(Object.getPrototypeOf(memory));
    expect(s).toBeInstanceOf(memory.constructor);
    expect(s.get, 'a method reads as the same function every time').toBe(s.get);
    expect(s.constructor).toBe(memory.constructor);
  });

  it('a synchronous throw and a result that is not a promise reach the caller as they are', ({
    expect,
  }) => {
    const thrown = new Error('thrown synchronously');
    const plain = { not: 'a promise' };
    const odd = {
      ...hangingStore(memory),
      get() {
        throw thrown;
      },
      has: () => plain,
    } as unknown as Store;
    const s = boundedStore(odd, BOUND_MS);
    expect(() => s.get('k')).toThrow(thrown);
    expect(s.has('k')).toBe(plain);
  });

  it('a frozen store is bounded too', async ({ expect }) => {
    const s = boundedStore(Object.freeze(hangingStore(memory)), BOUND_MS);
    expect(s.capabilities).toBe(memory.capabilities);
    const error = await rejectionOf(s.get('k'));
    expect((error as Error).message).toBe(`get() did not settle within ${BOUND_MS} ms`);
  });
});

describe('kit.store()', () => {
  const settleTimeout = 1000;
  const { test } = createHarness(
    () => hangingStore(createMemoryStore()),
    memory.capabilities,
    resolveOptions({ settleTimeout }),
  );

  test('hands out stores whose calls are bounded by settleTimeout', async (kit) => {
    const s = await kit.store();
    await s.set('k', 1);
    const error = await rejectionOf(s.get('k'));
    kit.expect(error).toBeInstanceOf(NotSettledError);
    kit.expect((error as Error).message).toBe(`get() did not settle within ${settleTimeout} ms`);
  });

  test('takes a bound of its own for one store', async (kit) => {
    const s = await kit.store(kit.newNamespace(), { settleTimeout: BOUND_MS });
    const error = await rejectionOf(s.get('k'));
    kit.expect((error as Error).message).toBe(`get() did not settle within ${BOUND_MS} ms`);
  });
});
