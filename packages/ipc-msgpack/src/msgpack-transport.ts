import { msgpackCodec } from '@statewire/core/msgpack';
import {
  type ConnectOptions,
  connectWith,
  type Host,
  type IpcStore,
  type IpcTransportDefinition,
  type ServeOptions,
  serveWith,
} from '@statewire/ipc';
import { packedFrames } from './packed-frames.js';

const msgpack: IpcTransportDefinition = {
  name: 'ipc-msgpack',
  codec: msgpackCodec,
  frames: packedFrames,
};

/**
 * Holds the data in this process (the cluster primary or a parent) and answers every
 * client: every cluster worker, now and later, and whatever is passed to `host.attach()`.
 * Values are msgpack: Buffers, typed arrays, Dates, Maps, Sets and BigInts survive.
 *
 * @throws Error when this process already serves this transport
 */
export function serve(options?: ServeOptions): Host {
  return serveWith(msgpack, options);
}

/**
 * A store in a cluster worker, fork child or worker thread, talking to the host over IPC
 * with msgpack values.
 *
 * @throws StateError `UNAVAILABLE` when the process has no IPC channel and no `channel` is given
 */
export function connect<S extends object = Record<string, unknown>>(
  options?: ConnectOptions,
): IpcStore<S> {
  return connectWith<S>(msgpack, options);
}
