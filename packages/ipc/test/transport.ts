import { fileURLToPath } from 'node:url';
import type { TransportUnderTest } from './scenarios/support.js';

/** @statewire/ipc as the shared scenarios run it: the built entry, strict JSON frames. */
export const transport: TransportUnderTest = {
  name: 'ipc',
  entry: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  packed: false,
};
