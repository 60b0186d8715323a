import { createMemoryStore, defineCapabilities, jsonCodec, MemoryBackend } from '@statewire/core';
import { afterAll } from 'vitest';
import { describeConformance } from '../src/index.js';

// One backend for every store, so that stores of one namespace share their data.
const backend = new MemoryBackend({ codec: jsonCodec });
afterAll(() => backend.close());

describeConformance(
  'memory store',
  ({ namespace }) => createMemoryStore({ namespace, backend }),
  defineCapabilities({ ttl: true, atomic: true }),
);
