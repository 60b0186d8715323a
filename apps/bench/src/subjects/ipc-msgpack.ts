import { connect, serve } from '@statewire/ipc-msgpack';
import { storeClient } from './store-client.js';
import type { Subject } from './subject.js';

/** `@statewire/ipc-msgpack`: msgpack values over a per-worker Unix domain side socket. */
export const subject: Subject = {
  name: 'ipc-msgpack',
  family: 'statewire',
  description:
    '@statewire/ipc-msgpack: serve() in the primary, connect() in workers; msgpack frames over a side socket',
  wire: 'the same frames as msgpack, over a per-worker Unix domain side socket negotiated over the IPC channel (a private directory and a token sent over IPC); length-prefixed frames, values as msgpack (Buffers as bin, no base64)',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  async host() {
    return serve();
  },
  async client(env) {
    const store = connect({ namespace: env.namespace });
    return storeClient(store, { framesOut: () => store.stats().framesOut });
  },
};
