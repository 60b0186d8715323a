import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { jsonOnly, type Subject } from './subject.js';

const require = createRequire(import.meta.url);

// The parts of cluster-node-cache 0.1.5 used here (it ships no types): a factory taking the
// cluster module, node-cache options and an optional CLS namespace.
interface ClusterNodeCache {
  get(key: string): Promise<{ err: unknown; value?: unknown }>;
  set(key: string, value: unknown): Promise<{ err: unknown }>;
}
type Factory = (cluster: unknown, options: object) => ClusterNodeCache;

function settled<T extends { err: unknown }>(reply: T): T {
  if (reply.err) throw new Error(String(reply.err));
  return reply;
}

/** cluster-node-cache: node-cache 1.x in the primary, bluebird promises in workers. */
export const subject: Subject = {
  name: 'cluster-node-cache',
  family: 'peer',
  notInSweep: true,
  extra: true,
  description: 'cluster-node-cache 0.1.5: get()/set() on node-cache 1.x held in the primary',
  wire: 'one JSON IPC message per call and one reply',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  cannotCarry: jsonOnly,
  cannotDo: (op) => (op === 'increment' ? 'no atomic increment' : undefined),
  async host() {
    // Its primary half listens on 'online' for every worker forked later.
    (require('cluster-node-cache') as Factory)(cluster, {});
    return { close: async () => {} };
  },
  async client() {
    const cache = (require('cluster-node-cache') as Factory)(cluster, {});
    return {
      // node-cache 1.x answers a get with { [key]: value }.
      get: async (key) =>
        (settled(await cache.get(key)).value as Record<string, unknown> | undefined)?.[key],
      set: async (key, value) => settled(await cache.set(key, value)),
      increment: () => Promise.reject(new Error('cluster-node-cache has no atomic increment')),
      close: async () => {},
    };
  },
};
