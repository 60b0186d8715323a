import { connect, serve } from '@statewire/ipc';
import { jsonOnly, type Subject } from './subject.js';

/** `@statewire/ipc`: JSON values over the IPC channel, calls of a tick batched. */
export const subject: Subject = {
  name: 'ipc',
  family: 'statewire',
  description:
    '@statewire/ipc: serve() in the primary, connect() in workers; JSON over the IPC channel',
  wire: "one JSON frame per flush over the IPC channel (`process.send`, Node's JSON line framing) carrying every call queued since the last one as [id, op, args] tuples; values inside the frame as JSON text; the primary answers a frame with one frame of replies (cut at the reply byte budget). The flush policy (when a queued call leaves) is core's ClientEngine",
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
    return {
      get: (key) => store.get(key),
      set: (key, value) => store.set(key, value),
      setWithTtl: (key, value, ttl) => store.set(key, value, { ttl }),
      increment: (key) => store.increment(key),
      close: () => store.close(),
      framesOut: () => store.stats().framesOut,
    };
  },
};
