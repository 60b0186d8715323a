// Issue 12 item 10: a send that throws is never mistaken for a closed channel. Node throws
// from send() for a message it cannot serialize (here: a function under `advanced`
// serialization; a JSON text over the string limit under `json`) while the channel is open.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { plainFrames } from '../dist/frame-wrapping.js';
import { createIpcEndpointLink } from '../dist/ipc-endpoint-link.js';

const echo = fileURLToPath(new URL('./fixtures/echo.mjs', import.meta.url));
const children: ReturnType<typeof fork>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

it('a frame the channel cannot serialize throws from send(); the link stays open and carries the next frame', async () => {
  const child = fork(echo, [], { serialization: 'advanced', stdio: 'ignore' });
  children.push(child);
  const link = createIpcEndpointLink(child, 'echo child', plainFrames);
  const received: unknown[] = [];
  let closed = false;
  link.open({
    message: (message) => received.push(message),
    close: () => {
      closed = true;
    },
    drain: () => {},
  });
  expect(() => link.send({ k: 'not cloneable', f: () => 1 })).toThrow();
  link.send({ k: 'fine' });
  await until(() => received.length === 1);
  expect(received).toEqual([{ k: 'fine' }]);
  expect(closed).toBe(false);
  link.close();
  child.send('exit');
  await once(child, 'exit');
});

it('a channel that is gone is reported closed, never thrown', async () => {
  const child = fork(echo, [], { stdio: 'ignore' });
  children.push(child);
  const link = createIpcEndpointLink(child, 'echo child', plainFrames);
  let closed = false;
  link.open({
    message: () => {},
    close: () => {
      closed = true;
    },
    drain: () => {},
  });
  child.send('exit');
  await once(child, 'exit');
  expect(link.send({ k: 'late' })).toBe(true);
  await until(() => closed);
});

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
