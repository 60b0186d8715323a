import { createMemoryStore } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { defineCapabilities, MemoryBackend } from '@statewire/core/transport';
import { afterAll } from 'vitest';
import { describeConformance } from '../src/index.js';

// The msgpack codec in process: what ipc-msgpack and redis keep, without a process boundary.
const backend = new MemoryBackend({ codec: msgpackCodec });
afterAll(() => backend.close());

describeConformance(
  'memory store with the msgpack codec',
  ({ namespace }) => createMemoryStore({ namespace, backend, codec: msgpackCodec }),
  defineCapabilities({ binary: true, structured: true, ttl: true, atomic: true, versions: true }),
);
