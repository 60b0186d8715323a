import { fileURLToPath } from 'node:url';
import type { TransportUnderTest } from '../../ipc/test/scenarios/support.js';

/** @statewire/ipc-msgpack as the shared scenarios run it: the built entry, packed frames. */
export const transport: TransportUnderTest = {
  name: 'ipc-msgpack',
  entry: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  packed: true,
  // This package depends on @statewire/ipc, so its build is there too.
  sibling: {
    name: 'ipc',
    entry: fileURLToPath(new URL('../../ipc/dist/index.js', import.meta.url)),
    packed: false,
  },
};
