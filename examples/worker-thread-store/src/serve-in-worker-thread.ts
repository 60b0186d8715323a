import { MessageChannel, Worker } from 'node:worker_threads';
import { ErrorCode, jsonCodec, StateError } from '@statewire/core';
import {
  connectStore,
  resolveLimits,
  type StoreOptions,
  storeCapabilities,
} from '@statewire/core/transport';
import { createPortLink } from './port-link.js';

/** Options of {@link serveInWorkerThread}: `maxKeyBytes` (@default 1024), `maxValueBytes` (@default 64 MiB). */
export type WorkerThreadHostOptions = Pick<StoreOptions, 'maxKeyBytes' | 'maxValueBytes'>;
/** Options of `connect()`: `namespace` (@default ''), `timeout` in ms (@default 5000). */
export type WorkerThreadStoreOptions = Pick<StoreOptions, 'namespace' | 'timeout'>;
/** A worker thread holding the data, and the way to reach it. */
export type WorkerThreadHost = ReturnType<typeof serveInWorkerThread>;

const label = 'worker-thread store';
const flags = { ttl: true, atomic: true }; // not `shared`: reachable from this process only

/** Starts a worker thread holding the data. @throws TypeError naming a malformed option */
export function serveInWorkerThread(options: WorkerThreadHostOptions = {}) {
  const limits = resolveLimits(options);
  const worker = new Worker(new URL('./holder.js', import.meta.url), { workerData: limits });
  // If the thread dies its ports close: calls reject CONNECTION_LOST. ('error' unheard crashes.)
  let closed = false;
  worker.on('error', () => {}).on('exit', () => (closed = true));
  worker.unref();
  return {
    capabilities: storeCapabilities(jsonCodec, flags, limits),
    /** A store over a new `MessageChannel`. @throws StateError `CLOSED` once the host is closed */
    connect<S extends object = Record<string, unknown>>(opts: WorkerThreadStoreOptions = {}) {
      if (closed) throw new StateError(ErrorCode.CLOSED, `${label}: the host is closed`);
      const link = () => {
        const { port1, port2 } = new MessageChannel();
        worker.postMessage({ kind: 'statewire-attach', port: port2 }, [port2]);
        return createPortLink(port1, label);
      };
      const options = { ...opts, ...limits };
      return connectStore<S>({ link, codec: jsonCodec, flags, label, options });
    },
    /** Stops the thread and drops the data; open stores' calls reject. Idempotent. */
    close: async () => {
      closed = true;
      await worker.terminate();
    },
  };
}
