import type { Backend } from './backend.js';
import { checkCodec, type ValueCodec } from './codec.js';
import { createStore } from './create-store.js';
import { type DispatchContext, dispatch } from './dispatch.js';
import { ErrorCode, markNotApplied, StateError } from './errors.js';
import { jsonCodec } from './json-codec.js';
import { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
import {
  type ExecuteOptions,
  type Executor,
  type OpArgs,
  type OpCode,
  type OpResult,
  opNames,
  writeOps,
} from './operations.js';
import { optionNames } from './option-names.js';
import type { Store } from './store.js';
import { optionsObject, resolveStoreOptions } from './store-options.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions extends Omit<MemoryBackendOptions, 'codec'> {
  /**
   * Isolates this store's keys from stores with another namespace on the same backend.
   * @default ''
   */
  namespace?: string | undefined;
  /**
   * The value codec. Values are stored encoded, so that the memory store keeps exactly
   * the values a remote transport with the same codec keeps, and a caller mutating an
   * object after `set()` does not change what is stored.
   * @default jsonCodec
   */
  codec?: ValueCodec | undefined;
  /**
   * A backend to share between several stores (each with its own namespace). When given,
   * `close()` leaves it open; its codec must be this store's codec.
   * @default a new backend owned by the store
   */
  backend?: MemoryBackend | undefined;
  /**
   * Default timeout of each call in ms.
   * @default 5000
   */
  timeout?: number | undefined;
  /** @default 1024 */
  maxKeyBytes?: number | undefined;
  /** @default 67108864 (64 MiB) */
  maxValueBytes?: number | undefined;
  /** Most keys or entries in one `getMany` / `setMany` / `deleteMany`. @default 100000 */
  maxBatchKeys?: number | undefined;
  /**
   * The largest answer to one call: `getMany` and `keys()` over it reject `TOO_LARGE`, as
   * on every transport. @default twice `maxValueBytes`, at least 16 MiB (128 MiB)
   */
  maxReplyBytes?: number | undefined;
}

/** Runs calls on a backend in this process. */
const MEMORY_STORE_OPTIONS = optionNames<MemoryStoreOptions>({
  namespace: true,
  codec: true,
  backend: true,
  timeout: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  maxBatchKeys: true,
  maxReplyBytes: true,
  maxEntries: true,
  maxBytes: true,
  sweepIntervalMs: true,
  sweepBatch: true,
  now: true,
});

class LocalExecutor implements Executor {
  readonly #context: DispatchContext;
  // The backend this executor made, and so closes; a shared one is left to its owner.
  readonly #owned: MemoryBackend | undefined;
  #closed = false;

  constructor(context: DispatchContext & { backend: Backend }, owned: MemoryBackend | undefined) {
    this.#context = context;
    this.#owned = owned;
  }

  async execute<O extends OpCode>(
    op: O,
    args: OpArgs[O],
    options: ExecuteOptions,
  ): Promise<OpResult[O]> {
    // Like every executor: `maybeApplied` on writes only, and `false` here, since a call
    // runs whole or not at all in this process: a write that rejects applied nothing.
    const write = writeOps.has(op);
    const unapplied = write ? { maybeApplied: false } : {};
    if (this.#closed)
      throw new StateError(
        ErrorCode.CLOSED,
        `memory: ${opNames[op]}() on a closed store`,
        unapplied,
      );
    if (options.signal?.aborted) {
      throw new StateError(ErrorCode.ABORTED, `memory: ${opNames[op]}() was aborted`, {
        cause: options.signal.reason,
        ...unapplied,
      });
    }
    try {
      return dispatch(this.#context, op, args) as OpResult[O];
    } catch (error) {
      // Named like every transport names a refusal: the store, then the operation.
      const named = StateError.is(error)
        ? new StateError(error.code, `memory: ${opNames[op]}() failed: ${error.message}`, {
            cause: error.cause,
          })
        : error;
      throw write ? markNotApplied(named) : named;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#owned?.close();
  }
}

/**
 * An in-process store: the reference implementation of the protocol, with the same
 * validation, codec and semantics as every transport, but not shared with other processes.
 *
 * @example
 * ```ts
 * const store = createMemoryStore<{ hits: number }>();
 * await store.increment('hits');
 * ```
 */
export function createMemoryStore<S extends object = Record<string, unknown>>(
  options: MemoryStoreOptions = {},
): Store<S> {
  const given = optionsObject(options, 'createMemoryStore()', MEMORY_STORE_OPTIONS);
  const codec =
    given.codec === undefined ? jsonCodec : checkCodec(given.codec, 'createMemoryStore(): codec');
  const shared = given.backend as Partial<MemoryBackend> | undefined;
  if (
    shared !== undefined &&
    (typeof shared.get !== 'function' || typeof shared.set !== 'function')
  ) {
    throw new TypeError('createMemoryStore(): backend must be a MemoryBackend');
  }
  const resolved = resolveStoreOptions(given);
  const { namespace, ...limits } = resolved;
  const owned = given.backend === undefined ? new MemoryBackend({ ...given, codec }) : undefined;
  const backend = given.backend ?? (owned as MemoryBackend);
  const executor = new LocalExecutor({ backend, codec, namespace, limits }, owned);
  const flags = { ttl: true, atomic: true, versions: true };
  return createStore<S>({ executor, codec, flags, options: resolved, label: 'memory' });
}
