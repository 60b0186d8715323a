// Every option of serve() and connect() is validated the same way, before anything is
// opened: a malformed one is a TypeError naming it (issue 14).
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { load, type TransportUnderTest } from './support.js';

const malformedConnect: [string, Record<string, unknown>][] = [
  ['maxPending', { maxPending: 'x' }],
  ['maxPending', { maxPending: -1 }],
  ['maxKeyBytes', { maxKeyBytes: -1 }],
  ['maxValueBytes', { maxValueBytes: 0 }],
  ['maxBatchKeys', { maxBatchKeys: 1.5 }],
  ['maxReplyBytes', { maxReplyBytes: Number.NaN }],
  ['timeout', { timeout: Number.NaN }],
  ['handshakeTimeout', { handshakeTimeout: Number.NaN }],
  ['negotiationTimeout', { negotiationTimeout: -5 }],
  ['sideSocket', { sideSocket: 'no' }],
  // Options connect() does not take: refused, not ignored.
  ['"namspace"', { namspace: 'x' }],
  ['"maxCallsPerFrame"', { maxCallsPerFrame: 5 }],
];

const malformedServe: [string, Record<string, unknown>][] = [
  ['maxKeyBytes', { maxKeyBytes: -1 }],
  ['maxValueBytes', { maxValueBytes: 'x' }],
  ['maxCallsPerFrame', { maxCallsPerFrame: 0 }],
  ['maxClientsPerChannel', { maxClientsPerChannel: Number.NaN }],
  ['maxReplyBytes', { maxReplyBytes: -1 }],
  ['maxEntries', { maxEntries: -1 }],
  ['sweepIntervalMs', { sweepIntervalMs: Number.NaN }],
  ['cluster', { cluster: 'yes' }],
  // Options serve() does not take (a client's): refused, not ignored.
  ['"namespace"', { namespace: 'x' }],
  ['"timeout"', { timeout: 5 }],
  ['"maxEntires"', { maxEntires: 5 }],
];

export function optionScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: options`, () => {
    it.each(malformedConnect)(
      'connect() rejects a malformed %s with a TypeError naming it',
      async (name, options) => {
        const mod = await load(t);
        const { port1, port2 } = new MessageChannel();
        try {
          expect(() => mod.connect({ channel: port1, ...options })).toThrow(
            expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(name) }),
          );
        } finally {
          port1.close();
          port2.close();
        }
      },
    );

    it.each(malformedServe)(
      'serve() rejects a malformed %s with a TypeError naming it',
      async (name, options) => {
        const mod = await load(t);
        expect(() => mod.serve({ cluster: false, ...options })).toThrow(
          expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(name) }),
        );
        // Nothing was left serving: the transport can be served at once.
        await mod.serve({ cluster: false }).close();
      },
    );
  });
}
