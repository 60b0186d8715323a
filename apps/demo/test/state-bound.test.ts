import { afterEach, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';
import { call } from './http-client.js';

// With the IPC transports the primary held whatever clients stored (PUT /kv, logins) without
// a bound: 200 values of 1 MiB grew it by 280 MiB, and running out of memory there loses
// every worker's state. It now holds at most MAX_STATE_BYTES.
let demo: DemoProcess | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

it('MAX_STATE_BYTES bounds what the primary holds: the values used least recently make room', async () => {
  demo = await startDemo({ STATEWIRE_TRANSPORT: 'ipc', MAX_STATE_BYTES: String(300_000) });
  const value = JSON.stringify({ text: 'x'.repeat(120_000) });
  for (const key of ['a', 'b', 'c']) {
    expect((await call(demo.port, 'PUT', `/kv/${key}`, value)).status).toBe(200);
  }
  expect((await call(demo.port, 'GET', '/kv/a')).status).toBe(404);
  expect((await call(demo.port, 'GET', '/kv/c')).body).toEqual({ value: JSON.parse(value) });
});
