import { fileURLToPath } from 'node:url';
import type { TransportUnderTest } from '@statewire/ipc-scenarios';

const built = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

/** @statewire/ipc as the shared scenarios run it: the built entry, strict JSON values. */
export const transport: TransportUnderTest = {
  name: 'ipc',
  entry: built('index.js'),
  codec: 'json',
  sideSocket: true,
  frames: { module: built('frame-wrapping.js'), name: 'plainFrames' },
  packsFrames: false,
};
