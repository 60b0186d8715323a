// The host counts its own bugs apart from malformed input, and says why it dropped or
// refused something under NODE_DEBUG=statewire (issue 14).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec } from '../src/index.js';
import { createLoopbackPair } from '../src/testing.js';
import {
  type Backend,
  FRAME_TAG,
  HostEngine,
  MemoryBackend,
  Op,
  PROTOCOL_VERSION,
} from '../src/transport.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

// A backend with a bug: get() throws an Error that is not a StateError.
function buggyBackend(): Backend {
  const backend = new MemoryBackend({ codec: jsonCodec });
  cleanups.push(() => backend.close());
  return Object.assign(Object.create(backend) as Backend, {
    get: () => {
      throw new Error('a bug in the backend');
    },
  });
}

function client(engine: HostEngine) {
  const pair = createLoopbackPair();
  engine.attach(pair.host);
  const received: Record<string, unknown>[] = [];
  pair.client.open({
    message: (message) => received.push(message as Record<string, unknown>),
    close() {},
    drain() {},
  });
  cleanups.push(() => pair.disconnect());
  const send = (frame: object) => pair.client.send({ [FRAME_TAG]: PROTOCOL_VERSION, ...frame });
  send({
    k: 'hello',
    from: 'c1',
    codec: 'json',
    namespace: '',
    maxKeyBytes: 1024,
    maxValueBytes: 64 * 1024 * 1024,
    maxBatchKeys: 100_000,
    maxReplyBytes: 128 * 1024 * 1024,
  });
  return { received, send };
}

// A loopback pair delivers on the next turn each way: a few turns settle a round trip.
async function settled(): Promise<void> {
  for (let turn = 0; turn < 4; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('HostEngine accounting', () => {
  it('stats() counts an internal error of the host apart from malformed input', async () => {
    const engine = new HostEngine({ backend: buggyBackend(), codec: jsonCodec });
    cleanups.push(() => engine.close());
    const { received, send } = client(engine);
    await settled();
    expect(received.at(-1)).toMatchObject({ k: 'welcome' });
    send({ k: 'req', from: 'c1', c: [[1, Op.get, 'a']] });
    await settled();
    expect(received.at(-1)).toMatchObject({ k: 'res', r: [[1, 1, 'BACKEND', expect.any(String)]] });
    expect(engine.stats()).toMatchObject({ internalErrors: 1, malformedIn: 0, errors: 1 });

    send({ k: 'req', from: 'c1', c: ['not a call'] });
    await settled();
    expect(engine.stats()).toMatchObject({ internalErrors: 1, malformedIn: 1 });
  });

  it('NODE_DEBUG=statewire explains what the host dropped, refused and failed', () => {
    const entry = (name: string) =>
      JSON.stringify(fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url)));
    const program = `
      import { jsonCodec } from ${entry('index')};
      import { createLoopbackPair } from ${entry('testing')};
      import { HostEngine, MemoryBackend } from ${entry('transport')};
      const backend = new MemoryBackend({ codec: jsonCodec });
      const engine = new HostEngine({ backend, codec: jsonCodec });
      const pair = createLoopbackPair();
      engine.attach(pair.host);
      pair.client.open({ message() {}, close() {}, drain() {} });
      pair.client.send({ __statewire: 1, k: 'nonsense', from: 'c1' });
      pair.client.send({ __statewire: 1, k: 'hello', from: 'c2', codec: 'msgpack' });
      setImmediate(() => { engine.close(); backend.close(); });
    `;
    const { status, stderr } = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      env: { ...process.env, NODE_DEBUG: 'statewire' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/STATEWIRE \d+: host: dropped a frame of unknown kind nonsense/);
    expect(stderr).toMatch(/STATEWIRE \d+: host: refused client c2 .*codec/);
  });
});
