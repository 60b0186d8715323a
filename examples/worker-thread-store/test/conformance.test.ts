import { describeConformance } from '@statewire/conformance';
import { defineCapabilities } from '@statewire/core/transport';
import { afterAll } from 'vitest';
// The holder runs in a worker thread, and a worker thread loads JavaScript, not TypeScript:
// this test uses the build (`npm test` here runs `tsc -b` first).
import { serveInWorkerThread } from '../dist/index.js';

const host = serveInWorkerThread();
afterAll(() => host.close());

describeConformance(
  'worker-thread store',
  ({ namespace }) => host.connect({ namespace }),
  defineCapabilities({ ttl: true, atomic: true }),
);
