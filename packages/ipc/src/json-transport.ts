import { jsonCodec } from '@statewire/core';
import {
  type ConnectOptions,
  connectWith,
  type Host,
  type IpcStore,
  type IpcTransportDefinition,
  type ServeOptions,
  serveWith,
} from './ipc-transport.js';

// Frames travel as plain objects (the default): Node's IPC serializes them.
const json: IpcTransportDefinition = { name: 'ipc', codec: jsonCodec };

/**
 * Holds the data in this process (the cluster primary or a parent) and answers every
 * client: every cluster worker, now and later, and whatever is passed to `host.attach()`.
 * Values are strict JSON.
 *
 * @throws Error when this process already serves this transport
 * @example
 * ```ts
 * if (cluster.isPrimary) { serve(); cluster.fork(); cluster.fork(); }
 * else { const store = connect<{ hits: number }>(); await store.increment('hits'); }
 * ```
 */
export function serve(options?: ServeOptions): Host {
  return serveWith(json, options);
}

/**
 * A store in a cluster worker, fork child or worker thread, talking to the host over IPC.
 *
 * @throws StateError `UNAVAILABLE` when the process has no IPC channel and no `channel` is given
 */
export function connect<S extends object = Record<string, unknown>>(
  options?: ConnectOptions,
): IpcStore<S> {
  return connectWith<S>(json, options);
}
