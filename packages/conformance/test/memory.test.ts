import { createMemoryStore, jsonCodec } from '@statewire/core';
import { defineCapabilities, MemoryBackend } from '@statewire/core/transport';
import { afterAll, describe, it } from 'vitest';
import { describeConformance } from '../src/index.js';

// One backend for every store, so that stores of one namespace share their data.
const backend = new MemoryBackend({ codec: jsonCodec });
afterAll(() => backend.close());

describeConformance(
  'memory store',
  ({ namespace }) => createMemoryStore({ namespace, backend }),
  defineCapabilities({ ttl: true, atomic: true, versions: true }),
);

// Declared after the suite, so it runs after every test of it (a file's tests run in order).
describe('after describeConformance()', () => {
  it('the holder keeps no key the suite wrote: each test cleared its namespaces', ({ expect }) => {
    expect(backend.stats().entries).toBe(0);
  });
});
