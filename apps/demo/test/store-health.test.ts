import { ensureRedisInstalled, startRedisServer } from '@statewire/test-redis-server';
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

// A login while the store was down answered 503, but express-session had made the new
// session anyway: the answer carried a cookie for a session never stored, and its save
// at the end of the answer failed again, printing a stack trace per login.
it('a login while Redis is down answers 503 with the store code, no cookie, and logs no stack trace', async () => {
  ensureRedisInstalled();
  const server = await startRedisServer();
  try {
    demo = await startDemo({ STATEWIRE_TRANSPORT: 'redis', REDIS_URL: server.url });
    const port = demo.port;
    const login = () => call(port, 'POST', '/login', JSON.stringify({ name: 'ada' }));
    expect((await login()).status).toBe(200);
    await server.stop();
    for (let i = 0; i < 3; i++) {
      const refused = await login();
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        error: { code: expect.stringMatching(/^(UNAVAILABLE|CONNECTION_LOST|TIMEOUT)$/) },
      });
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    // A failed save after the answer would be reported a moment later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(demo.output()).not.toMatch(/StateError/);
  } finally {
    await server.stop();
  }
});
