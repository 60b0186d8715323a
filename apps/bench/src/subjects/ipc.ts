import { connect, serve } from '@statewire/ipc';
import { jsonOnly, type Subject } from './subject.js';

/** `@statewire/ipc`: JSON values over the IPC channel, calls of a tick batched. */
export const subject: Subject = {
  name: 'ipc',
  family: 'statewire',
  description:
    '@statewire/ipc: serve() in the primary, connect() in workers; JSON over the IPC channel',
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
      increment: (key) => store.increment(key),
      close: () => store.close(),
      framesOut: () => store.stats().framesOut,
    };
  },
};
