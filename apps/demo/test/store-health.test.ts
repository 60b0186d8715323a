import { afterEach, expect, it } from 'vitest';
import { type DemoProcess, freePort, startDemo } from './demo-process.js';
import { call } from './http-client.js';

// Issue 17: on a Redis it could not reach, the demo logged "ready" and /health answered
// 200. Now the start-up line says the store cannot be reached, and /health answers 503.
let demo: DemoProcess | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

it('GET /health checks the store: 200 with status ok when it answers', async () => {
  demo = await startDemo({ STATEWIRE_TRANSPORT: 'ipc' });
  expect(await call(demo.port, 'GET', '/health')).toMatchObject({
    status: 200,
    body: { status: 'ok', transport: 'ipc', workers: 2 },
  });
});

it('an unreachable Redis is logged at start-up instead of "ready", and /health answers 503 with why', async () => {
  // Nothing listens there: a port that was free a moment ago.
  const url = `redis://127.0.0.1:${await freePort()}`;
  demo = await startDemo(
    { STATEWIRE_TRANSPORT: 'redis', REDIS_URL: url },
    undefined,
    /cannot reach its store: .+\n/,
  );
  expect(demo.output()).not.toContain('statewire demo on http://');
  expect(demo.output()).toContain('check REDIS_URL');
  await demo.waitFor(`kill -HUP ${demo.child.pid}`);
  const health = await call(demo.port, 'GET', '/health');
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({
    status: 'unavailable',
    reason: expect.stringMatching(/^(TIMEOUT|UNAVAILABLE|CONNECTION_LOST): /),
    transport: 'redis',
  });
});
