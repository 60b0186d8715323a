import { serveLoopback } from '@statewire/core/testing';
import { defineCapabilities } from '@statewire/core/transport';
import { afterAll, describe } from 'vitest';
import { describeConformance } from '../src/index.js';

// Tests run five at a time in this one process, some of them moving megabytes: on a busy
// machine a call may wait for the others' work longer than the default 5 s.
const host = serveLoopback({ timeout: 30_000 });
afterAll(() => host.close());

// Run concurrently, which also proves the suite is safe under describe.concurrent.
describe.concurrent('concurrently', () => {
  describeConformance(
    'loopback client and host',
    ({ namespace }) => host.connect({ namespace }),
    defineCapabilities({ ttl: true, atomic: true, versions: true, shared: true }),
  );
});
