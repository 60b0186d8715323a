import { rawClient, rawHost } from './raw-ipc.js';
import type { Subject } from './subject.js';

/** The naive baseline of the IPC transports: unbatched JSON `process.send` round trips. */
export const subject: Subject = {
  name: 'raw-json',
  family: 'baseline',
  description:
    'naive raw baseline: one process.send per call (json serialization), a Map in the primary, the reply routed by id; Buffers as base64 strings, decoded by the known kind',
  wire: 'one JSON message per call over the IPC channel, `{ id, op, key, value }`, one reply message per call; Buffers as base64 strings',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  // Buffers travel as base64 strings, decoded by the kind the caller knows it stored.
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => rawHost(),
  client: async () => rawClient('json'),
};
