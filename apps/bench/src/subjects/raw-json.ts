import { rawClient, rawHost } from './raw-ipc.js';
import type { Subject } from './subject.js';

/** The baseline of the IPC transports: unbatched JSON `process.send` round trips. */
export const subject: Subject = {
  name: 'raw-json',
  family: 'baseline',
  description:
    'raw baseline: one process.send per call (default json serialization), a Map in the primary, reply routed by id',
  group: 'ipc',
  serialization: 'json',
  needsRedis: false,
  // JSON carries a Buffer as { type, data: [...] }; the client turns it back into a Buffer.
  cannotCarry: () => undefined,
  cannotDo: () => undefined,
  host: async () => rawHost(),
  client: async () => rawClient(),
};
