import { connect, serve } from '@statewire/ipc-msgpack';
import type { Subject } from './subject.js';

/** `@statewire/ipc-msgpack`: msgpack values over a per-worker Unix domain side socket. */
export const subject: Subject = {
  name: 'ipc-msgpack',
  family: 'statewire',
  description:
    '@statewire/ipc-msgpack: serve() in the primary, connect() in workers; msgpack frames over a side socket',
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
    return {
      get: (key) => store.get(key),
      set: (key, value) => store.set(key, value),
      increment: (key) => store.increment(key),
      close: () => store.close(),
      framesOut: () => store.stats().framesOut,
    };
  },
};
