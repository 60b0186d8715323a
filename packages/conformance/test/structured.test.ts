import { createMemoryStore } from '@statewire/core';
import { defineCapabilities, MemoryBackend } from '@statewire/core/transport';
import { afterAll } from 'vitest';
import { describeConformance } from '../src/index.js';
import { v8Codec } from './fixtures/v8-codec.js';

// A store that keeps Buffers, typed arrays, Dates, Maps, Sets, BigInts, -0, NaN and
// undefined in containers: the binary and structured rules must pass on it, not only fail.
const backend = new MemoryBackend({ codec: v8Codec });
afterAll(() => backend.close());

describeConformance(
  'memory store with a binary and structured codec',
  ({ namespace }) => createMemoryStore({ namespace, backend, codec: v8Codec }),
  defineCapabilities({ binary: true, structured: true, ttl: true, atomic: true, versions: true }),
  { largeValueBytes: [1024 * 1024, 4 * 1024 * 1024] },
);
