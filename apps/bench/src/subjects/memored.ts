import { createRequire } from 'node:module';
import { jsonOnly, type Subject } from './subject.js';

const require = createRequire(import.meta.url);

// The parts of memored 1.1.1 used here (it ships no types).
interface Memored {
  read(key: string, callback: (error: unknown, value: unknown) => void): void;
  store(key: string, value: unknown, callback: (error: unknown) => void): void;
}

/** memored: a primary-held cache reached over IPC with callbacks. */
export const subject: Subject = {
  name: 'memored',
  family: 'peer',
  notInSweep: true,
  description: 'memored 1.1.1: read()/store() with callbacks',
  wire: 'one JSON IPC message per call and one reply',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: (op) =>
    op === 'increment' ? 'no atomic increment (read-modify-write would lose updates)' : undefined,
  async host() {
    // Requiring it in the primary installs its 'fork' hook.
    require('memored');
    return { close: async () => {} };
  },
  async client() {
    const memored = require('memored') as Memored;
    return {
      get: (key) =>
        new Promise((resolve, reject) =>
          memored.read(key, (error, value) => (error ? reject(error) : resolve(value))),
        ),
      set: (key, value) =>
        new Promise((resolve, reject) =>
          memored.store(key, value, (error) => (error ? reject(error) : resolve(undefined))),
        ),
      increment: () => Promise.reject(new Error('memored has no atomic increment')),
      close: async () => {},
    };
  },
};
