import { connect, serve } from '@statewire/ipc';
import { storeClient } from './store-client.js';
import { jsonOnly, type Subject } from './subject.js';

/** `@statewire/ipc`: JSON values over a per-worker side socket, calls of a tick batched. */
export const subject: Subject = {
  name: 'ipc',
  family: 'statewire',
  description:
    '@statewire/ipc: serve() in the primary, connect() in workers; JSON values over a per-worker side socket',
  wire: "one frame per flush carrying every call queued since the last one as [id, op, args] tuples, values inside it as JSON text (encoded once, by the codec); frames as length-prefixed msgpack over a per-worker Unix domain side socket negotiated over the IPC channel (a private directory and a token sent over IPC); the primary answers a frame with one frame of replies (cut at the reply byte budget). The flush policy (when a queued call leaves) is core's ClientEngine",
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: () => undefined,
  async host() {
    return serve();
  },
  async client(env) {
    const store = connect({ namespace: env.namespace });
    return storeClient(store, { framesOut: () => store.stats().framesOut });
  },
};
