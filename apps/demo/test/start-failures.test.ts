import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { type DemoProcess, freePort, startDemo } from './demo-process.js';

// Issue 17: a port that cannot be used made every worker crash and respawn, a stack trace
// per restart, and the demo exited 0 a minute later. Now: one line, at once, non-zero.
let demo: DemoProcess | undefined;
let blocker: Server | undefined;
let silent: Server | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
  for (const server of [blocker, silent])
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  blocker = undefined;
  silent = undefined;
});

/** Listens on a free loopback port (`port` 0) or on `port` on every interface. */
function listen(port = 0, onConnection?: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    if (port === 0) server.listen(0, '127.0.0.1', () => resolve(server));
    else server.listen(port, () => resolve(server));
  });
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/** Starts the demo expecting it to fail; resolves its exit code and output. */
async function failedStart(env: Record<string, string>) {
  demo = await startDemo(env, undefined, null);
  const code = await demo.exited(60_000);
  return { code, output: demo.output() };
}

/** The output has exactly one line, saying the demo cannot start, naming `text`. */
function expectOneClearLine(output: string, text: string) {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^statewire demo cannot start: /);
  expect(lines[0]).toContain(text);
  expect(lines[0]).toContain('PORT=');
}

it('start on a port in use exits 1 at once with one line naming the port, forking no worker', async () => {
  blocker = await listen();
  const port = portOf(blocker);
  const { code, output } = await failedStart({ PORT: String(port) });
  expect(code).toBe(1);
  expectOneClearLine(output, `port ${port} is already in use`);
});

it('start with PORT=99999 exits 1 with one line naming PORT', async () => {
  const { code, output } = await failedStart({ PORT: '99999' });
  expect(code).toBe(1);
  expectOneClearLine(output, 'PORT must be a port number from 1 to 65535, got "99999"');
});

it('start with PORT=abc exits 1 with one line naming PORT', async () => {
  const { code, output } = await failedStart({ PORT: 'abc' });
  expect(code).toBe(1);
  expectOneClearLine(output, 'got "abc"');
});

it.each([
  ['0', 'WORKERS must be at least 1, got "0"'],
  ['0x2', 'WORKERS must be a whole number, got "0x2"'],
  [' 2', 'WORKERS must be a whole number, got " 2"'],
])(
  'start with WORKERS=%j exits 1 with one line naming WORKERS, no stack trace',
  async (workers, text) => {
    const { code, output } = await failedStart({
      PORT: String(await freePort()),
      WORKERS: workers,
    });
    expect(code).toBe(1);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([`statewire demo cannot start: ${text}`]);
  },
);

it('start with MAX_STATE_BYTES=0 exits 1 with one line naming MAX_STATE_BYTES', async () => {
  const { code, output } = await failedStart({
    PORT: String(await freePort()),
    MAX_STATE_BYTES: '0',
  });
  expect(code).toBe(1);
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toEqual([
    'statewire demo cannot start: MAX_STATE_BYTES must be at least 1, got "0"',
  ]);
});

it('a port taken after the check: the workers end with exitFatal(), none is respawned, exit 1', async () => {
  // A "Redis" that accepts and never answers holds each worker in its one-second store
  // check, after the primary checked the port and before the worker listens: the port is
  // taken in between, as another program starting at the same moment would.
  const sockets: Socket[] = [];
  silent = await listen(0, (socket) => sockets.push(socket));
  const port = await freePort();
  demo = await startDemo(
    {
      PORT: String(port),
      STATEWIRE_TRANSPORT: 'redis',
      REDIS_URL: `redis://127.0.0.1:${portOf(silent)}`,
    },
    undefined,
    /started \(worker for seat 1\)/,
  );
  blocker = await listen(port);
  const code = await demo.exited(60_000);
  for (const socket of sockets) socket.destroy();
  expect(code).toBe(1);
  const output = demo.output();
  expect(output.match(/statewire demo cannot start: /g)).toHaveLength(1);
  expect(output).toContain(`statewire demo cannot start: port ${port} is already in use`);
  expect(output).not.toMatch(/respawning|\n\s+at /);
});
