import { DEFAULT_TIMEOUT_MS, readTimeout } from './call-options.js';
import type { ClientEngine, ClientEngineOptions } from './client-engine.js';
import type { ValueCodec } from './codec.js';
import { connectStore } from './create-store.js';
import { HostEngine, type HostEngineOptions } from './host-engine.js';
import { jsonCodec } from './json-codec.js';
import { createLoopbackPair, type LoopbackPair } from './loopback.js';
import { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
import { optionNames } from './option-names.js';
import type { Store } from './store.js';
import { optionsObject, resolveClientOptions, resolveHostOptions } from './store-options.js';

/** Options of {@link serveLoopback}. */
export interface LoopbackHostOptions extends Omit<MemoryBackendOptions, 'codec'> {
  /** @default jsonCodec */
  codec?: ValueCodec | undefined;
  /** @default 5000 */
  timeout?: number | undefined;
  /** @default 1024 */
  maxKeyBytes?: number | undefined;
  /** @default 67108864 (64 MiB) */
  maxValueBytes?: number | undefined;
  /** Passed to the host engine. */
  host?:
    | Pick<
        HostEngineOptions,
        'maxCallsPerFrame' | 'maxBatchKeys' | 'maxClientsPerLink' | 'maxReplyBytes'
      >
    | undefined;
  /** Passed to each client engine. */
  client?:
    | Pick<ClientEngineOptions, 'maxPending' | 'handshakeTimeout' | 'frameBudgetBytes'>
    | undefined;
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

const LOOPBACK_HOST_OPTIONS = optionNames<LoopbackHostOptions>({
  codec: true,
  timeout: true,
  maxKeyBytes: true,
  maxValueBytes: true,
  host: true,
  client: true,
  maxEntries: true,
  maxBytes: true,
  sweepIntervalMs: true,
  sweepBatch: true,
  now: true,
});

const LOOPBACK_ENGINE_OPTIONS = {
  host: optionNames<NonNullable<LoopbackHostOptions['host']>>({
    maxCallsPerFrame: true,
    maxBatchKeys: true,
    maxClientsPerLink: true,
    maxReplyBytes: true,
  }),
  client: optionNames<NonNullable<LoopbackHostOptions['client']>>({
    maxPending: true,
    handshakeTimeout: true,
    frameBudgetBytes: true,
  }),
};

const LOOPBACK_CONNECT_OPTIONS = optionNames<{ namespace?: string }>({ namespace: true });

/**
 * The client and host engines of a remote transport, joined by in-memory loopback pairs
 * in one process: everything an IPC transport does except moving bytes between processes.
 * For testing the engines and for the conformance self-test.
 */
export function serveLoopback(options: LoopbackHostOptions = {}): LoopbackHost {
  const given = optionsObject(options, 'serveLoopback()', LOOPBACK_HOST_OPTIONS);
  const codec = given.codec ?? jsonCodec;
  const { maxKeyBytes, maxValueBytes } = given;
  // Every option is validated here, so that a malformed one throws before anything serves.
  const host = resolveHostOptions({
    maxKeyBytes,
    maxValueBytes,
    ...optionsObject(given.host, 'serveLoopback(): host', LOOPBACK_ENGINE_OPTIONS.host),
  });
  const { maxBatchKeys, maxReplyBytes } = host;
  const timeout = readTimeout(given.timeout ?? DEFAULT_TIMEOUT_MS);
  const client = {
    ...resolveClientOptions(
      optionsObject(given.client, 'serveLoopback(): client', LOOPBACK_ENGINE_OPTIONS.client),
    ),
    timeout,
  };
  const limits = { maxKeyBytes: host.maxKeyBytes, maxValueBytes: host.maxValueBytes };
  const backend = new MemoryBackend({ ...given, codec });
  const engine = new HostEngine({ backend, codec, ...host });
  return {
    engine,
    backend,
    connect<S extends object>(connectOptions: { namespace?: string } = {}) {
      optionsObject(connectOptions, 'connect()', LOOPBACK_CONNECT_OPTIONS);
      const pair = createLoopbackPair();
      const store = connectStore<S>({
        // Attached only once the namespace is known to be valid.
        link: () => {
          engine.attach(pair.host);
          return pair.client;
        },
        codec,
        options: { ...limits, maxBatchKeys, maxReplyBytes, ...client, ...connectOptions },
        label: 'loopback',
      });
      const close = store.close.bind(store);
      // The pair belongs to this store alone: closing the store hangs it up, so that the
      // host detaches it rather than keep one dead attachment per closed store.
      return Object.assign(store, {
        pair,
        close: () => close().then(() => pair.disconnect()),
      });
    },
    close() {
      engine.close();
      backend.close();
    },
  };
}
