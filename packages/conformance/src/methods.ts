import type { SetOptions, Store } from '@statewire/core';

/** One method of `Store`, callable with any key and options (valid or not) for the suite. */
export interface MethodCase {
  /** The method's name: `get`, `setMany`, … */
  readonly name: string;
  /** Whether it writes (a rejected write must leave nothing behind). */
  readonly writes: boolean;
  /** Whether it takes a key (every method but `keys` and `clear`). */
  readonly takesKey: boolean;
  /**
   * Calls the method with `key` where it takes a key (after a valid key `ok`, for the
   * batch methods, so that every element is checked and not only the first) and with
   * `options` as its call options.
   */
  invoke(store: Store, key: unknown, options?: unknown): Promise<unknown>;
}

// The suite calls stores with values the types forbid, on purpose.
const asKey = (key: unknown) => key as string;
const asOptions = (options: unknown) => options as SetOptions;

/** The key that precedes the key under test in batch calls. */
export const BATCH_COMPANION_KEY = 'ok';

/** Every key-taking method of `Store`. */
export const keyMethods: readonly MethodCase[] = Object.freeze([
  {
    name: 'get',
    writes: false,
    takesKey: true,
    invoke: (s, k, o) => s.get(asKey(k), asOptions(o)),
  },
  {
    name: 'set',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) => s.set(asKey(k), 'v', asOptions(o)),
  },
  {
    name: 'delete',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) => s.delete(asKey(k), asOptions(o)),
  },
  {
    name: 'has',
    writes: false,
    takesKey: true,
    invoke: (s, k, o) => s.has(asKey(k), asOptions(o)),
  },
  {
    name: 'getMany',
    writes: false,
    takesKey: true,
    invoke: (s, k, o) => s.getMany([BATCH_COMPANION_KEY, asKey(k)], asOptions(o)),
  },
  {
    name: 'setMany',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) =>
      s.setMany(
        [
          { key: BATCH_COMPANION_KEY, value: 'v' },
          { key: asKey(k), value: 'v' },
        ],
        asOptions(o),
      ),
  },
  {
    name: 'deleteMany',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) => s.deleteMany([BATCH_COMPANION_KEY, asKey(k)], asOptions(o)),
  },
  {
    name: 'increment',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) => s.increment(asKey(k), 1, asOptions(o)),
  },
  {
    name: 'setIfAbsent',
    writes: true,
    takesKey: true,
    invoke: (s, k, o) => s.setIfAbsent(asKey(k), 'v', asOptions(o)),
  },
]);

/** Every method of `Store` but `close`; `keys` and `clear` ignore the key. */
export const everyMethod: readonly MethodCase[] = Object.freeze([
  ...keyMethods,
  {
    name: 'keys',
    writes: false,
    takesKey: false,
    invoke: (s, _k, o) => s.keys('', asOptions(o)),
  },
  {
    name: 'clear',
    writes: true,
    takesKey: false,
    invoke: (s, _k, o) => s.clear(asOptions(o)),
  },
]);
