import { DEFAULT_MAX_VALUE_BYTES, defineCapabilities, jsonCodec } from '@statewire/core';
import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import { createRedisStore, safeClusterOptions, safeRedisOptions } from '../src/index.js';
import { describeContract } from './support/contract.js';

const structured = defineCapabilities({
  binary: true,
  structured: true,
  ttl: true,
  shared: true,
  atomic: true,
  maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
});
const json = defineCapabilities({ ...structured, binary: false, structured: false });

describeContract(
  'standalone (url, msgpack)',
  ({ namespace }) => createRedisStore({ url: inject('redisUrl'), namespace }),
  structured,
);

describeContract(
  'standalone (url, jsonCodec)',
  ({ namespace }) => createRedisStore({ url: inject('redisUrl'), namespace, codec: jsonCodec }),
  json,
);

describeContract(
  'standalone (injected client)',
  ({ namespace }) =>
    createRedisStore({
      client: new Redis(inject('redisUrl'), { ...safeRedisOptions }),
      closeClient: true,
      namespace,
    }),
  structured,
);

describeContract(
  'Cluster (3 masters, owned client)',
  ({ namespace }) => createRedisStore({ cluster: { nodes: inject('clusterNodes') }, namespace }),
  structured,
);

describeContract(
  'Cluster (3 masters, injected client)',
  ({ namespace }) =>
    createRedisStore({
      client: new Cluster(inject('clusterNodes'), { ...safeClusterOptions }),
      closeClient: true,
      namespace,
    }),
  structured,
);
