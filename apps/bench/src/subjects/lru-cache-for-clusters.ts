import { createRequire } from 'node:module';
import { jsonOnly, type Subject } from './subject.js';

const require = createRequire(import.meta.url);

interface LruCacheForClusters {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  incr(key: string, amount?: number): Promise<number>;
}
interface LruCacheForClustersClass {
  new (options: object): LruCacheForClusters;
  getInstance(options: object): Promise<LruCacheForClusters>;
  init(): void;
}

const options = {
  namespace: 'bench',
  max: 100_000,
  // Its default is 100 ms, after which a call silently resolves undefined.
  timeout: 5000,
  failsafe: 'reject',
};

/** lru-cache-for-clusters-as-promised: an lru-cache in the primary, a promise per call. */
export const subject: Subject = {
  name: 'lru-cache-for-clusters',
  family: 'peer',
  notInSweep: true,
  extra: true,
  description:
    'lru-cache-for-clusters-as-promised 1.7.4: get()/set()/incr(), timeout 5000 ms, failsafe reject',
  wire: 'one JSON IPC message per call and one reply, a timer per call',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: () => undefined,
  async host() {
    (require('lru-cache-for-clusters-as-promised') as LruCacheForClustersClass).init();
    return { close: async () => {} };
  },
  async client() {
    const Cache = require('lru-cache-for-clusters-as-promised') as LruCacheForClustersClass;
    const cache = await Cache.getInstance(options);
    return {
      get: (key) => cache.get(key),
      set: (key, value) => cache.set(key, value),
      increment: (key) => cache.incr(key, 1),
      close: async () => {},
    };
  },
};
