import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TransportUnderTest } from '@statewire/ipc-scenarios';

const built = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
// This package depends on @statewire/ipc, so its build is there too.
const ipcEntry = createRequire(import.meta.url).resolve('@statewire/ipc');

/** @statewire/ipc-msgpack as the shared scenarios run it: the built entry, msgpack values. */
export const transport: TransportUnderTest = {
  name: 'ipc-msgpack',
  entry: built('index.js'),
  codec: 'msgpack',
  sideSocket: true,
  frames: { module: built('packed-frames.js'), name: 'packedFrames' },
  packsFrames: true,
  sibling: {
    name: 'ipc',
    entry: ipcEntry,
    codec: 'json',
    sideSocket: true,
    frames: { module: ipcEntry, name: 'plainFrames' },
    packsFrames: false,
  },
};
