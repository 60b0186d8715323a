// What a user of the published packages writes to run the suite on Redis: three statements.
import { describeConformance } from '@statewire/conformance';
import { defineCapabilities } from '@statewire/core/transport';
import { createRedisStore } from '@statewire/redis';

describeConformance(
  'published @statewire/redis on a real redis-server',
  ({ namespace }) => createRedisStore({ url: process.env.REDIS_URL, namespace }),
  defineCapabilities({
    binary: true,
    structured: true,
    ttl: true,
    shared: true,
    atomic: true,
    versions: true,
  }),
);
