import { BaseStore } from './base-store.js';
import { checkTimeout, DEFAULT_TIMEOUT_MS } from './call-options.js';
import {
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  defineCapabilities,
} from './capabilities.js';
import { ClientEngine, type ClientEngineOptions } from './client-engine.js';
import type { ValueCodec } from './codec.js';
import { HostEngine, type HostEngineOptions } from './host-engine.js';
import { jsonCodec } from './json-codec.js';
import { assertNamespace } from './keys.js';
import { createLoopbackPair, type LoopbackPair } from './loopback.js';
import { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
import type { Store } from './store.js';

/** Options of {@link serveLoopback}. */
export interface LoopbackHostOptions extends Omit<MemoryBackendOptions, 'codec'> {
  /** @default jsonCodec */
  codec?: ValueCodec;
  /** @default 5000 */
  timeout?: number;
  /** @default 1024 */
  maxKeyBytes?: number;
  /** @default 67108864 (64 MiB) */
  maxValueBytes?: number;
  /** Passed to the host engine. */
  host?: Pick<
    HostEngineOptions,
    'maxCallsPerFrame' | 'maxBatchKeys' | 'maxClientsPerLink' | 'maxReplyBytes'
  >;
  /** Passed to each client engine. */
  client?: Pick<ClientEngineOptions, 'maxPending' | 'handshakeTimeout' | 'frameBudgetBytes'>;
}

/** A host engine in this process and a way to connect stores to it over loopback pairs. */
export interface LoopbackHost {
  /** The host engine (for `stats()`). */
  readonly engine: HostEngine;
  /** The backend holding the data. */
  readonly backend: MemoryBackend;
  /** A store whose client engine talks to the host over a new loopback pair. */
  connect<S extends object = Record<string, unknown>>(options?: {
    namespace?: string;
  }): Store<S> & { readonly pair: LoopbackPair; readonly engine: ClientEngine };
  /** Detaches every client and drops the data. */
  close(): void;
}

/**
 * The client and host engines of a remote transport, joined by in-memory loopback pairs
 * in one process: everything an IPC transport does except moving bytes between processes.
 * For testing the engines and for the conformance self-test.
 */
export function serveLoopback(options: LoopbackHostOptions = {}): LoopbackHost {
  const codec = options.codec ?? jsonCodec;
  const maxKeyBytes = options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES;
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
  const backend = new MemoryBackend({ ...options, codec });
  const maxBatchKeys = options.host?.maxBatchKeys ?? DEFAULT_MAX_BATCH_KEYS;
  const maxReplyBytes = options.host?.maxReplyBytes ?? defaultMaxReplyBytes(maxValueBytes);
  const engine = new HostEngine({
    backend,
    codec,
    maxKeyBytes,
    maxValueBytes,
    ...options.host,
    maxBatchKeys,
    maxReplyBytes,
  });
  const capabilities = defineCapabilities({
    ...codec.keeps,
    ttl: true,
    atomic: true,
    shared: true,
    maxKeyBytes,
    maxValueBytes,
    maxBatchKeys,
    maxReplyBytes,
  });
  return {
    engine,
    backend,
    connect<S extends object>(connectOptions: { namespace?: string } = {}) {
      const namespace = connectOptions.namespace ?? '';
      assertNamespace(namespace, maxKeyBytes);
      const pair = createLoopbackPair();
      engine.attach(pair.host);
      const client = new ClientEngine({
        ...options.client,
        link: pair.client,
        codec: codec.name,
        namespace,
        maxKeyBytes,
        maxValueBytes,
        maxBatchKeys,
        maxReplyBytes,
        label: 'loopback',
      });
      const store: Store<S> = new BaseStore<S>({
        executor: client,
        codec,
        capabilities,
        timeout,
        label: 'loopback',
      });
      const close = store.close.bind(store);
      // The pair belongs to this store alone: closing the store hangs it up, so that the
      // host detaches it rather than keep one dead attachment per closed store.
      return Object.assign(store, {
        pair,
        engine: client,
        close: () => close().then(() => pair.disconnect()),
      });
    },
    close() {
      engine.close();
      backend.close();
    },
  };
}
