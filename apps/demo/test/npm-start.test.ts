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
  // The start-up log says how to reach, reload and stop the demo (issue 17).
  await demo.waitFor(/stop: Ctrl\+C, or kill -TERM \d+/);
  const output = demo.output();
  const pid = Number(/primary pid (\d+)/.exec(output)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(output).toContain(`http://localhost:${demo.port}`);
  expect(output).toContain(`kill -HUP ${pid}`);
  expect(output).toContain(`kill -TERM ${pid}`);
  expect(() => process.kill(pid, 0)).not.toThrow();
  // Only the demo runs: no other workspace's task (each would be a line prefixed by it).
  expect(
    output.match(/^@statewire\/[\w-]+:\w+/gm)?.every((t) => t === '@statewire/demo:start'),
  ).toBe(true);
  const hit = await call(demo.port, 'POST', '/hits');
  expect(hit.status).toBe(200);
  expect(await call(demo.port, 'GET', '/health')).toMatchObject({
    status: 200,
    body: { transport: 'ipc' },
  });
});
