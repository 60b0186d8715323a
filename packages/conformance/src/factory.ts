import type { Capabilities, Store } from '@statewire/core';
import type { ConformanceOptions } from './options.js';
import { settlesWithin } from './settles-within.js';

/** What the suite passes to a {@link StoreFactory}. */
export interface FactoryOptions {
  /**
   * The namespace the new store must use. The suite makes a fresh random one for every
   * test, so that tests never see each other's keys on a shared holder (a Redis server,
   * an IPC primary), and passes the same one again when a test needs several stores on
   * one namespace. After the test it asks for one more store on each namespace the test
   * used, to `clear()` it. The suite's namespaces start with `swc-`.
   */
  namespace: string;
}

/**
 * Makes a store for the suite. Every call must return a new, open store (the suite closes
 * each one after its test). Stores made with the same `namespace` must share one holder:
 * a write through one is visible through the others, and `increment` / `setIfAbsent` are
 * atomic across them when the store declares `atomic`. Stores with different namespaces
 * must never see each other's keys.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend({ codec: jsonCodec });
 * const factory: StoreFactory = ({ namespace }) => createMemoryStore({ namespace, backend });
 * ```
 */
export type StoreFactory = (options: FactoryOptions) => Store | Promise<Store>;

/**
 * One group of the suite (`describeBasic`, `describeTtl`, …): registers its tests for the
 * stores `factory` makes, which must declare `expectedCapabilities`. Groups run or skip by
 * those flags only.
 */
export type ConformanceGroup = (
  factory: StoreFactory,
  expectedCapabilities: Capabilities,
  options?: ConformanceOptions,
) => void;

// Methods every store has, enough to tell a store from a factory's mistake (a test double
// may leave out the methods its test does not call).
const STORE_METHODS = ['get', 'set', 'close'] as const;

function describeMade(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object')
    return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
  const missing = STORE_METHODS.filter(
    (name) => typeof (value as Record<string, unknown>)[name] !== 'function',
  );
  return `an object without ${missing.join(', ')}`;
}

/**
 * A store from `factory` for `namespace`, bounded by `ms`.
 * @throws TypeError (as a rejection) naming what the factory returned when it is not a
 *   store (no object, or one without a store's methods or `capabilities`)
 */
export async function makeStore(
  factory: StoreFactory,
  namespace: string,
  ms: number,
): Promise<Store> {
  const made: unknown = await settlesWithin(
    Promise.resolve().then(() => factory({ namespace })),
    ms,
    'the store factory',
  );
  const store = made as Record<string, unknown> | null;
  if (
    typeof store !== 'object' ||
    store === null ||
    STORE_METHODS.some((name) => typeof store[name] !== 'function') ||
    typeof store.capabilities !== 'object' ||
    store.capabilities === null
  ) {
    const what =
      typeof store === 'object' &&
      store !== null &&
      STORE_METHODS.every((name) => typeof store[name] === 'function')
        ? 'an object without capabilities'
        : describeMade(made);
    throw new TypeError(`the store factory returned ${what}, not a Store`);
  }
  return made as Store;
}
