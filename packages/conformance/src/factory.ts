import type { Capabilities, Store } from '@statewire/core';
import { whyNotAStore } from '@statewire/core/transport';
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
  const problem = whyNotAStore(made);
  if (problem !== undefined) {
    throw new TypeError(`the store factory returned ${problem}, not a Store`);
  }
  return made as Store;
}
