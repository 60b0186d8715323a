import { afterEach, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';
import { call } from './http-client.js';

let demo: DemoProcess | undefined;
afterEach(async () => {
  await demo?.stop();
});

it('npm start, as the README writes it, serves the demo on the IPC transport', async () => {
  demo = await startDemo({ STATEWIRE_TRANSPORT: '', TURBO_TELEMETRY_DISABLED: '1' }, [
    'npm',
    'start',
  ]);
  const hit = await call(demo.port, 'POST', '/hits');
  expect(hit.status).toBe(200);
  expect(await call(demo.port, 'GET', '/health')).toMatchObject({
    status: 200,
    body: { transport: 'ipc' },
  });
});
