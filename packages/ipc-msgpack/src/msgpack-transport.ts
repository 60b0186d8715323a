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
 * The host: `serve()` of `@statewire/ipc` (the data lives in this process and every worker,
 * fork child and attached channel is answered), with msgpack values, so that Buffers, typed
 * arrays, Dates, Maps, Sets and BigInts survive. It runs beside an `@statewire/ipc` host.
 *
 * @throws Error when this process already serves this transport
 */
export const serve = (options?: ServeOptions): Host => serveWith(msgpack, options);

/**
 * A store of a worker, fork child or worker thread whose host called this package's
 * `serve()`: `connect()` of `@statewire/ipc`, with msgpack values.
 *
 * @throws StateError `UNAVAILABLE` when the process has no IPC channel and no `channel` is given
 */
export const connect = <S extends object = Record<string, unknown>>(
  options?: ConnectOptions,
): IpcStore<S> => connectWith<S>(msgpack, options);
