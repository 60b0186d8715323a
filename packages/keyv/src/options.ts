import type { Store } from '@statewire/core';

/**
 * Opens the statewire store that holds one Keyv namespace. Keyv tells its storage adapter
 * the namespace only after constructing it (and may change it later), so the adapter asks
 * for a store when a namespace is first used. `namespace` is `''` when Keyv has none.
 */
export type OpenStore = (namespace: string) => Store;

/** Options of {@link createKeyvStore}. */
export interface KeyvStoreOptions {
  /**
   * Opens the store for a Keyv namespace, for example
   * `(namespace) => connect({ namespace: \`cache:${namespace}\` })`. Each Keyv namespace
   * must get its own statewire namespace: that is what keeps `clear()` of one Keyv
   * namespace from touching another. Called once per namespace; the store is kept.
   */
  open: OpenStore;
  /**
   * Whether `disconnect()` closes the stores this adapter opened. Set it to `false` when
   * `open` hands out stores that something else also uses and closes.
   * @default true
   */
  closeOnDisconnect?: boolean | undefined;
  /**
   * Most keys in one `getMany` / `setMany` / `deleteMany` call to the store. Longer Keyv
   * batches are split into chunks of the smaller of this and the store's
   * `capabilities.maxBatchKeys`. A positive integer.
   * @default 1000
   */
  maxBatchKeys?: number | undefined;
}

/** {@link KeyvStoreOptions} with every default filled in and validated. */
export interface ResolvedKeyvStoreOptions {
  readonly open: OpenStore;
  readonly closeOnDisconnect: boolean;
  readonly maxBatchKeys: number;
}

/** The batch size used when neither the option nor the store says otherwise. */
export const DEFAULT_MAX_BATCH_KEYS = 1000;

/**
 * Fills the defaults of `options` in and validates them.
 * @throws TypeError naming the option that is missing or malformed.
 */
export function resolveKeyvStoreOptions(options: KeyvStoreOptions): ResolvedKeyvStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createKeyvStore() needs an options object with `open`');
  }
  const { open, closeOnDisconnect = true, maxBatchKeys = DEFAULT_MAX_BATCH_KEYS } = options;
  if (typeof open !== 'function') {
    throw new TypeError('open must be a function (namespace) => Store');
  }
  if (typeof closeOnDisconnect !== 'boolean') {
    throw new TypeError(`closeOnDisconnect must be a boolean, got ${String(closeOnDisconnect)}`);
  }
  if (!Number.isSafeInteger(maxBatchKeys) || maxBatchKeys < 1) {
    throw new TypeError(`maxBatchKeys must be a positive integer, got ${String(maxBatchKeys)}`);
  }
  return { open, closeOnDisconnect, maxBatchKeys };
}
