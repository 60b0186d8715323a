// A client whose process was busy past the handshake deadline while the host's welcome
// was already waiting to be read is served, not failed with UNAVAILABLE: timers run before
// I/O in a turn of the event loop, so the deadline must not be judged before that I/O
// (seen as a 64 MiB set() beside a small one failing UNAVAILABLE under load).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec } from '../src/index.js';
import { connectStore, type Link } from '../src/transport.js';

const holderScript = fileURLToPath(new URL('./fixtures/versions-holder.mjs', import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workerLink(worker: Worker): Link {
  let listener: ((message: unknown) => void) | undefined;
  return {
    label: 'holder thread',
    open(handlers) {
      listener = (message) => handlers.message(message);
      worker.on('message', listener);
    },
    send(frame) {
      worker.postMessage(frame);
      return true;
    },
    close() {
      if (listener) worker.off('message', listener);
    },
  };
}

const handshakeTimeout = 50;

/**
 * A holder in a worker thread, ready, and this thread continued from the check phase of the
 * event loop (as after any setImmediate), so that the next phase to run after a block is
 * the timers phase, before any I/O. `welcomed` turns 1 when the holder posted a welcome.
 */
async function startHolder(): Promise<{ worker: Worker; welcomed: Int32Array }> {
  const welcomed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(holderScript, { workerData: { welcomed } });
  cleanups.push(() => worker.terminate());
  await new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setImmediate(resolve));
  return { worker, welcomed };
}

/** A store on `link`, and a get() issued at once; busy-waits 4 × handshakeTimeout after it. */
function getThenBusy(link: Link, beforeBusy: () => void = () => {}): Promise<unknown> {
  const store = connectStore({
    link: () => link,
    codec: jsonCodec,
    options: { handshakeTimeout, timeout: 20_000 },
    label: 'thread',
  });
  cleanups.push(() => store.close());
  const started = performance.now();
  const pending = store.get('k');
  beforeBusy();
  while (performance.now() - started < handshakeTimeout * 4) {
    // Busy, not asleep: no timer fires and no I/O is read meanwhile.
  }
  return pending;
}

describe('ClientEngine handshake deadline', () => {
  it('a welcome that arrived while the client was blocked past handshakeTimeout is taken, not refused UNAVAILABLE', async () => {
    const { worker, welcomed } = await startHolder();
    const pending = getThenBusy(workerLink(worker), () => {
      // Blocks this thread (as a long synchronous task would) until the holder has posted
      // its welcome, and past the handshake deadline: the welcome is then waiting to be read.
      expect(Atomics.wait(welcomed, 0, 0, 30_000)).not.toBe('timed-out');
    });
    expect(await pending).toBeUndefined();
  });

  it('a process busy past handshakeTimeout before the welcome could arrive is served when it comes, not refused UNAVAILABLE', async () => {
    const { worker } = await startHolder();
    // Frames from the holder reach the engine 30 ms after they are read, as over a carrier
    // still being set up: the welcome is not waiting when the block ends.
    const link = workerLink(worker);
    const slow: Link = {
      ...link,
      open: (handlers) =>
        link.open({
          ...handlers,
          message: (message) => setTimeout(() => handlers.message(message), 30),
        }),
    };
    expect(await getThenBusy(slow)).toBeUndefined();
  });
});

// A store whose host never answers (serve() forgotten, or a fork child never attached) said
// only "get() timed out after 5000 ms" when its call's timeout came before the handshake's
// deadline, which a busy start-up extends; and the hint never named host.attach().
describe('a store that no host answers', () => {
  const silentLink = (): Link => ({
    label: 'silent channel',
    open() {},
    send: () => true,
    close() {},
  });

  it('a call that times out first says no host has answered yet, and how to fix it', async () => {
    const store = connectStore({
      link: silentLink,
      codec: jsonCodec,
      options: { handshakeTimeout: 60_000, timeout: 50 },
      label: 'thread',
    });
    cleanups.push(() => store.close());
    await expect(store.get('k')).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(
        /timed out after 50 ms: no statewire host has answered on silent channel yet \(is the host serving\? .*host\.attach\(\)/,
      ),
    });
  });

  it('the handshake that gives up names host.attach() too', async () => {
    const store = connectStore({
      link: silentLink,
      codec: jsonCodec,
      options: { handshakeTimeout: 50, timeout: 60_000 },
      label: 'thread',
    });
    cleanups.push(() => store.close());
    await expect(store.get('k')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('host.attach() of its channel in the parent'),
    });
  });
});
