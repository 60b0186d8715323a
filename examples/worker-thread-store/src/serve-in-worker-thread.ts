import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  assertNamespace,
  BaseStore,
  type Capabilities,
  ClientEngine,
  checkTimeout,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_TIMEOUT_MS,
  defineCapabilities,
  ErrorCode,
  jsonCodec,
  StateError,
  type Store,
} from '@statewire/core';
import { createPortLink } from './port-link.js';
import type { AttachMessage, HolderData } from './protocol.js';

/** Options of {@link serveInWorkerThread}. */
export interface WorkerThreadHostOptions {
  /** Largest key, in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number;
  /** Largest encoded value, in bytes. @default 67108864 (64 MiB) */
  maxValueBytes?: number;
}

/** Options of {@link WorkerThreadHost.connect}. */
export interface WorkerThreadStoreOptions {
  /**
   * Isolates this store's keys from stores with another namespace.
   * @default ''
   */
  namespace?: string;
  /**
   * Default timeout of each call, in ms.
   * @default 5000
   */
  timeout?: number;
}

/** A worker thread holding the data, and the way to reach it. */
export interface WorkerThreadHost {
  /** What every store of this host declares. */
  readonly capabilities: Capabilities;
  /**
   * A new store whose calls run in the holder thread. Stores of the same namespace share
   * their data.
   * @throws StateError `CLOSED` when the host is closed; `INVALID_KEY` for a bad namespace
   */
  connect<S extends object = Record<string, unknown>>(options?: WorkerThreadStoreOptions): Store<S>;
  /** Stops the holder thread and drops the data; open stores' calls reject. Idempotent. */
  close(): Promise<void>;
}

const label = 'worker-thread store';

/**
 * Starts a worker thread that holds the data in a `MemoryBackend`, and returns a host whose
 * `connect()` makes stores over a new `MessageChannel` each: a `ClientEngine` on this side,
 * the thread's `HostEngine` on the other. Values are JSON (core's `jsonCodec`).
 *
 * @example
 * ```ts
 * const host = serveInWorkerThread();
 * const store = host.connect<{ hits: number }>({ namespace: 'app' });
 * await store.increment('hits');
 * await host.close();
 * ```
 */
export function serveInWorkerThread(options: WorkerThreadHostOptions = {}): WorkerThreadHost {
  const maxKeyBytes = options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES;
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const capabilities = defineCapabilities({
    ...jsonCodec.keeps,
    ttl: true,
    atomic: true,
    maxKeyBytes,
    maxValueBytes,
  });
  const workerData: HolderData = { maxKeyBytes, maxValueBytes };
  const worker = new Worker(new URL('./holder.js', import.meta.url), { workerData });
  // The holder never keeps the process alive by itself; pending calls do (see port-link).
  worker.unref();
  const ports = new Set<MessagePort>();
  let closed = false;
  let terminated: Promise<void> | undefined;

  // If the thread fails or exits, every store's port is closed so that its calls reject
  // with CONNECTION_LOST at once instead of timing out. Without an 'error' listener a
  // failing worker would crash this process.
  const dropAll = () => {
    closed = true;
    for (const port of ports) port.close();
    ports.clear();
  };
  worker.on('error', dropAll);
  worker.on('exit', dropAll);

  return {
    capabilities,
    connect<S extends object>(storeOptions: WorkerThreadStoreOptions = {}): Store<S> {
      if (closed) throw new StateError(ErrorCode.CLOSED, `${label}: the host is closed`);
      const namespace = storeOptions.namespace ?? '';
      assertNamespace(namespace, maxKeyBytes);
      const timeout = checkTimeout(storeOptions.timeout ?? DEFAULT_TIMEOUT_MS);
      const { port1, port2 } = new MessageChannel();
      const attach: AttachMessage = { kind: 'statewire-attach', port: port2 };
      worker.postMessage(attach, [port2]);
      ports.add(port1);
      port1.once('close', () => ports.delete(port1));
      const engine = new ClientEngine({
        link: createPortLink(port1, label),
        codec: jsonCodec.name,
        namespace,
        maxKeyBytes,
        maxValueBytes,
        label,
      });
      return new BaseStore<S>({ executor: engine, codec: jsonCodec, capabilities, timeout, label });
    },
    close() {
      dropAll();
      terminated ??= worker.terminate().then(() => {});
      return terminated;
    },
  };
}
