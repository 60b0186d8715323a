import { describeConformance } from '@statewire/conformance';
import { jsonCodec } from '@statewire/core';
import { defineCapabilities } from '@statewire/core/transport';
import { inject } from 'vitest';
import { createRedisStore } from '../src/index.js';
import { msgpackCapabilities } from './support/stores.js';

const MiB = 1024 * 1024;

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
