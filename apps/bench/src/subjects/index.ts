import type { Subject } from './subject.js';

/** Every subject, in the order the table lists them. */
export const subjectNames = [
  'ipc',
  'ipc-msgpack',
  'raw-socket',
  'raw-json',
  'raw-batched',
  'raw-advanced',
  'cluster-shared-memory',
  'memored',
  'lru-cache-for-clusters',
  'strong-store-cluster',
  'cluster-node-cache',
  'redis',
  'ioredis',
  'ioredis-auto',
  'ioredis-coalesce',
] as const;

export type SubjectName = (typeof subjectNames)[number];

export function isSubjectName(name: string): name is SubjectName {
  return (subjectNames as readonly string[]).includes(name);
}

// One module per subject, loaded on demand: a peer library hooks `cluster` when required,
// so it must only ever be loaded in the processes that measure it.
const loaders: Record<SubjectName, () => Promise<{ subject: Subject }>> = {
  ipc: () => import('./ipc.js'),
  'ipc-msgpack': () => import('./ipc-msgpack.js'),
  'raw-socket': () => import('./raw-socket.js'),
  'raw-json': () => import('./raw-json.js'),
  'raw-batched': () => import('./raw-batched.js'),
  'raw-advanced': () => import('./raw-advanced.js'),
  'cluster-shared-memory': () => import('./cluster-shared-memory.js'),
  memored: () => import('./memored.js'),
  'lru-cache-for-clusters': () => import('./lru-cache-for-clusters.js'),
  'strong-store-cluster': () => import('./strong-store-cluster.js'),
  'cluster-node-cache': () => import('./cluster-node-cache.js'),
  redis: () => import('./redis.js'),
  ioredis: () => import('./ioredis.js'),
  'ioredis-auto': () => import('./ioredis-auto.js'),
  'ioredis-coalesce': () => import('./ioredis-coalesce.js'),
};

export async function loadSubject(name: SubjectName): Promise<Subject> {
  return (await loaders[name]()).subject;
}
