import { serveLoopback } from '@statewire/core/testing';
import { defineCapabilities } from '@statewire/core/transport';
import { afterAll, describe } from 'vitest';
import { describeConformance } from '../src/index.js';

const host = serveLoopback();
afterAll(() => host.close());

// Run concurrently, which also proves the suite is safe under describe.concurrent.
describe.concurrent('concurrently', () => {
  describeConformance(
    'loopback client and host',
    ({ namespace }) => host.connect({ namespace }),
    defineCapabilities({ ttl: true, atomic: true, versions: true, shared: true }),
  );
});
