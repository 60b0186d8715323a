// The handshake stays a plain object on the channel, as every variant of the IPC transport
// sends it: a host of the other codec reads a msgpack client's hello and refuses it with
// PROTOCOL at once, instead of ignoring a packed frame until the client gives up.
import { MessageChannel } from 'node:worker_threads';
import { serve as serveJson } from '@statewire/ipc';
import { afterEach, expect, it } from 'vitest';
import { connect } from '../dist/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a msgpack client of a JSON host rejects its calls PROTOCOL (codec mismatch), not UNAVAILABLE after the handshake timeout', async () => {
  const host = serveJson({ cluster: false });
  cleanups.push(() => host.close());
  const { port1, port2 } = new MessageChannel();
  cleanups.push(() => {
    port1.close();
    port2.close();
  });
  host.attach(port1);
  // Far longer than a refusal takes: only a host that never read the hello runs into it.
  const store = connect({ channel: port2, handshakeTimeout: 20_000 });
  cleanups.push(() => store.close());
  await expect(store.get('k')).rejects.toMatchObject({ code: 'PROTOCOL' });
  expect(host.stats().clients).toBe(0);
});
