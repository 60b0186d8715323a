import { createRequire } from 'node:module';
import { jsonOnly, type Subject } from './subject.js';

const require = createRequire(import.meta.url);

// The parts of cluster-shared-memory 1.1.5 used here (it ships no types).
interface SharedMemory {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  mutex<T>(key: string, critical: () => Promise<T>): Promise<T>;
}

/** cluster-shared-memory: a primary-held object reached over IPC, one message per call. */
export const subject: Subject = {
  name: 'cluster-shared-memory',
  family: 'peer',
  notInSweep: true,
  description:
    'cluster-shared-memory 1.1.5: get()/set(); increment = mutex(get + set), 4 round trips',
  wire: 'one JSON IPC message per call and one reply (with a uuid per call); increment is 4 round trips (mutex, get, set, unlock)',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: () => undefined,
  async host() {
    // Requiring it in the primary installs its 'online' hook on every worker forked later.
    require('cluster-shared-memory');
    return { close: async () => {} };
  },
  async client() {
    const memory = require('cluster-shared-memory') as SharedMemory;
    return {
      get: (key) => memory.get(key),
      set: (key, value) => memory.set(key, value),
      increment: (key) =>
        memory.mutex(key, async () => {
          const next = (((await memory.get(key)) as number | undefined) ?? 0) + 1;
          await memory.set(key, next);
          return next;
        }),
      close: async () => {},
    };
  },
};
