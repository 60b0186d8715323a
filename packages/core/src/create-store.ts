import { BaseStore } from './base-store.js';
import { type Capabilities, type CapabilityFlag, defineCapabilities } from './capabilities.js';
import { ClientEngine } from './client-engine.js';
import type { ValueCodec } from './codec.js';
import type { Link } from './link.js';
import type { Executor } from './operations.js';
import type { Store } from './store.js';
import {
  type ClientOptions,
  type ResolvedStoreOptions,
  resolveClientOptions,
  resolveStoreOptions,
  type StoreLimits,
  type StoreOptions,
} from './store-options.js';

/** The capability flags a transport declares beyond what its codec keeps. */
export type DeclaredFlags = Partial<Pick<Capabilities, CapabilityFlag>>;

/** What {@link createStore} assembles. */
export interface StoreAssembly {
  /** Runs the validated, encoded calls. */
  executor: Executor;
  /** The value codec; its `keeps` flags join the manifest. */
  codec: ValueCodec;
  /** Flags beyond the codec's (`ttl`, `atomic`, `versions`, `shared`, `persistent`). */
  flags: DeclaredFlags;
  /** From {@link resolveStoreOptions}: the manifest's limits and the default timeout. */
  options: Pick<ResolvedStoreOptions, keyof StoreLimits | 'timeout'>;
  /** Names the transport in error messages. */
  label: string;
}

/**
 * The manifest of a store: the codec's flags, the declared ones, and the limits.
 */
export function storeCapabilities(
  codec: ValueCodec,
  flags: DeclaredFlags,
  limits: StoreLimits,
): Capabilities {
  const { maxKeyBytes, maxValueBytes, maxBatchKeys, maxReplyBytes } = limits;
  return defineCapabilities({
    ...codec.keeps,
    ...flags,
    maxKeyBytes,
    maxValueBytes,
    maxBatchKeys,
    maxReplyBytes,
  });
}

/**
 * Assembles a store from an executor and options already resolved: its manifest, then the
 * `BaseStore` that validates and encodes every call. Every transport ends here.
 */
export function createStore<S extends object = Record<string, unknown>>(
  assembly: StoreAssembly,
): Store<S> {
  const { executor, codec, flags, options, label } = assembly;
  const capabilities = storeCapabilities(codec, flags, options);
  return new BaseStore<S>({ executor, codec, capabilities, timeout: options.timeout, label });
}

/** What {@link connectStore} needs: a way to open the link, and the store's options. */
export interface LinkStoreAssembly {
  /**
   * Opens the carrier to the host; called once every option is validated, so that a
   * malformed option leaves nothing open.
   */
  link: () => Link;
  codec: ValueCodec;
  /**
   * Flags beyond the codec's. A holder of an earlier release without `versions` narrows
   * the manifest once its welcome arrives (see `ClientEngine`).
   * @default { ttl: true, atomic: true, versions: true, shared: true }
   */
  flags?: DeclaredFlags;
  /** The store's and its client engine's options, as the application gave them. */
  options: StoreOptions & ClientOptions;
  label: string;
}

/** A store over a link, with its client engine (for `stats()`). */
export type LinkStore<S extends object> = Store<S> & { readonly engine: ClientEngine };

/**
 * A whole Link-based store: resolves and validates every option, opens the link, and puts
 * a `ClientEngine` and a `BaseStore` on it. A transport that moves frames needs nothing else
 * on the client side.
 *
 * @throws TypeError naming the first malformed option
 * @throws StateError `INVALID_KEY` when the namespace is malformed
 */
export function connectStore<S extends object = Record<string, unknown>>(
  assembly: LinkStoreAssembly,
): LinkStore<S> {
  const { codec, label } = assembly;
  const options = resolveStoreOptions(assembly.options);
  const client = resolveClientOptions(assembly.options);
  const engine = new ClientEngine({
    ...options,
    ...client,
    link: assembly.link(),
    codec: codec.name,
    label,
  });
  const flags = assembly.flags ?? { ttl: true, atomic: true, versions: true, shared: true };
  return Object.assign(createStore<S>({ executor: engine, codec, flags, options, label }), {
    engine,
  });
}
