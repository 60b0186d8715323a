import { createRequire } from 'node:module';
import { jsonOnly, type Subject } from './subject.js';

const require = createRequire(import.meta.url);

// The parts of strong-store-cluster 1.0.1 used here (it ships no types).
interface KeyLock {
  set(value: unknown): void;
  release(callback: (error: unknown) => void): void;
}
interface Collection {
  get(key: string, callback: (error: unknown, value: unknown) => void): void;
  set(key: string, value: unknown, callback: (error: unknown) => void): void;
  acquire(key: string, callback: (error: unknown, lock: KeyLock, value: unknown) => void): void;
}
interface StrongStore {
  collection(name: string): Collection;
}

/** strong-store-cluster: collections in the primary, JSON text per value, key locks. */
export const subject: Subject = {
  name: 'strong-store-cluster',
  family: 'peer',
  notInSweep: true,
  extra: true,
  description:
    'strong-store-cluster 1.0.1: collection get()/set(); increment = acquire + release, 2 round trips',
  wire: 'one JSON IPC message per call and one reply, values as JSON text inside it; increment is 2 round trips (acquire, release)',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: () => undefined,
  async host() {
    require('strong-store-cluster');
    return { close: async () => {} };
  },
  async client() {
    const collection = (require('strong-store-cluster') as StrongStore).collection('bench');
    return {
      get: (key) =>
        new Promise((resolve, reject) =>
          collection.get(key, (error, value) => (error ? reject(error) : resolve(value))),
        ),
      set: (key, value) =>
        new Promise((resolve, reject) =>
          collection.set(key, value, (error) => (error ? reject(error) : resolve(undefined))),
        ),
      increment: (key) =>
        new Promise((resolve, reject) =>
          collection.acquire(key, (error, lock, value) => {
            if (error) return reject(error);
            const next = ((value as number | undefined) ?? 0) + 1;
            lock.set(next);
            lock.release((released) => (released ? reject(released) : resolve(next)));
          }),
        ),
      close: async () => {},
    };
  },
};
