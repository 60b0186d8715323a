import { describeConformance } from '@statewire/conformance';
import { jsonCodec } from '@statewire/core';
import { DEFAULT_MAX_VALUE_BYTES, defineCapabilities } from '@statewire/core/transport';
import { inject } from 'vitest';
import { createRedisStore } from '../src/index.js';

const MiB = 1024 * 1024;
const msgpackCapabilities = defineCapabilities({
  binary: true,
  structured: true,
  ttl: true,
  shared: true,
  atomic: true,
  versions: true,
  maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
});

// Every store of one namespace talks to the same Redis, so they share one holder.
describeConformance(
  'redis standalone (msgpack)',
  ({ namespace }) => createRedisStore({ url: inject('redisUrl'), namespace }),
  msgpackCapabilities,
  // 64 MiB values are tested in redis-store.test.ts: the suite's deep comparison cannot
  // enumerate a 64 MiB Buffer (RangeError: Too many properties to enumerate).
  { largeValueBytes: [MiB, 16 * MiB] },
);

describeConformance(
  'redis standalone (jsonCodec)',
  ({ namespace }) => createRedisStore({ url: inject('redisUrl'), namespace, codec: jsonCodec }),
  defineCapabilities({ ...msgpackCapabilities, binary: false, structured: false }),
);

describeConformance(
  'redis Cluster (3 masters)',
  ({ namespace }) => createRedisStore({ cluster: { nodes: inject('clusterNodes') }, namespace }),
  msgpackCapabilities,
  { largeValueBytes: [MiB, 16 * MiB] },
);
