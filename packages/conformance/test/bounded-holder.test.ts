import { createMemoryStore } from '@statewire/core';
import { type LoopbackHost, serveLoopback } from '@statewire/core/testing';
import { defineCapabilities } from '@statewire/core/transport';
import { afterAll, describe } from 'vitest';
import { describeBoundedHolder } from '../src/index.js';

// The bounded-holder group on the holders that take maxEntries and maxBytes: the memory
// store (each store owns a new backend) and the loopback host (one host per store).
describe('memory store', () => {
  describeBoundedHolder(
    (bounds) => createMemoryStore(bounds),
    defineCapabilities({ ttl: true, atomic: true, versions: true }),
  );
});

const hosts: LoopbackHost[] = [];
afterAll(() => {
  for (const host of hosts) host.close();
});

describe('loopback client and host', () => {
  describeBoundedHolder(
    ({ namespace, maxEntries, maxBytes }) => {
      const host = serveLoopback({ maxEntries, maxBytes });
      hosts.push(host);
      return host.connect({ namespace });
    },
    defineCapabilities({ ttl: true, atomic: true, versions: true, shared: true }),
  );
});
