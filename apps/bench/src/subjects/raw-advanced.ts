import { rawClient, rawHost } from './raw-ipc.js';
import type { Subject } from './subject.js';

/** Unbatched raw IPC under `serialization: 'advanced'` (the v8 structured serializer). */
export const subject: Subject = {
  name: 'raw-advanced',
  family: 'baseline',
  notInSweep: true,
  description:
    "raw: the same as raw-json in a cluster with serialization: 'advanced' (v8 serializer)",
  wire: "one message per call over the IPC channel with `serialization: 'advanced'` (the v8 serializer), one reply per call; Buffers as they are",
  group: 'ipc',
  serialization: 'advanced',
  needsRedis: false,
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => rawHost(),
  client: async () => rawClient('advanced'),
};
