import { Agent, request } from 'node:http';
import { afterEach, describe, it } from 'vitest';
import { forkedPids, freePort, get, killAll, type Report, startPrimary } from './helpers.js';

afterEach(killAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shutdown()', () => {
  it('SIGTERM lets an in-flight request finish, then the primary exits 0', async ({ expect }) => {
    const port = await freePort();
    const primary = startPrimary({ workers: 2 }, { PORT: String(port) });
    await primary.waitFor((r) => r.event === 'ready');

    const slow = get(port, '/slow');
    const started = await primary.waitFor((r) => r.event === 'worker-message');
    primary.child.kill('SIGTERM');

    const response = await slow;
    expect(response.status).toBe(200);
    expect(Number(response.body)).toBe(started.pid);
    expect(await primary.exited).toEqual({ code: 0, signal: null });

    const shutdownAt = primary.reports.findIndex((r) => r.event === 'shutdown');
    expect(shutdownAt).toBeGreaterThan(-1);
    const exits = primary.reports.filter((r) => r.event === 'exit');
    expect(exits.map((r) => r.pid).sort()).toEqual(forkedPids(primary).sort());
    expect(exits.every((r) => r.code === 0 && r.signal === null)).toBe(true);
    expect(forkedPids(primary, shutdownAt)).toEqual([]);
    expect(primary.reports.some((r) => r.event === 'respawn')).toBe(false);
    expect(primary.stderr()).toContain('received SIGTERM; shutting down');
  });

  it('shutdown() kills a worker that ignores disconnect after shutdownTimeoutMs', async ({
    expect,
  }) => {
    const port = await freePort();
    const primary = startPrimary(
      { workers: 1, shutdownTimeoutMs: 500, backoff: { initialMs: 10, maxMs: 10 } },
      { PORT: String(port), WORKER_MODE: 'stubborn' },
    );
    const [pid] = (await primary.waitFor((r) => r.event === 'ready')).pids ?? [];
    expect(Number((await get(port)).body)).toBe(pid);

    let from = primary.reports.length;
    primary.send({ cmd: 'shutdown' });
    const done = await primary.waitFor((r) => r.event === 'shutdown-done', from);
    expect(done).toMatchObject({ pids: [], same: true });
    const exit = primary.reports.slice(from).find((r) => r.event === 'exit');
    expect(exit).toMatchObject({ pid, code: null, signal: 'SIGKILL' });
    expect(primary.stderr()).toMatch(/still running 500 ms after disconnect; killing it/);

    // Far longer than the backoff: a killed worker during shutdown is not respawned,
    // the primary does not exit by itself, and others' cluster listeners are intact.
    await sleep(500);
    from = primary.reports.length;
    primary.send({ cmd: 'workers' });
    const state = await primary.waitFor((r) => r.event === 'workers', from);
    expect(state).toMatchObject({ pids: [], clusterForks: 1, clusterListeners: 2 });
    expect(primary.reports.some((r) => r.event === 'respawn')).toBe(false);
    expect(primary.child.exitCode).toBeNull();
  });

  it('closeConnectionsOnDisconnect(): a keep-alive client that keeps sending does not hold the leaving worker until it is killed', async ({
    expect,
  }) => {
    const port = await freePort();
    const primary = startPrimary(
      { workers: 1, shutdownTimeoutMs: 20_000 },
      { PORT: String(port), WORKER_MODE: 'keepalive' },
    );
    await primary.waitFor((r) => r.event === 'ready');
    // One connection, kept alive, always busy: a request after each answer.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const outcomes: string[] = [];
    const slow = () =>
      new Promise<string>((resolve, reject) => {
        request({ port, path: '/slow', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(String(response.headers.connection)));
        })
          .on('error', (error: NodeJS.ErrnoException) => reject(error))
          .end();
      });
    const loop = (async () => {
      for (;;) {
        try {
          outcomes.push(await slow());
        } catch (error) {
          outcomes.push(String((error as NodeJS.ErrnoException).code));
          return;
        }
      }
    })();
    while (outcomes.length < 2) await sleep(50);
    // Leave while a request is in flight (each takes 300 ms), not between two. The
    // requests go one after another: the k-th report of a started one is request k.
    const started = (r: Report) =>
      r.event === 'worker-message' &&
      (r.message as { slowStarted?: number } | undefined)?.slowStarted !== undefined;
    const seen = await primary.waitFor(started, primary.reports.length);
    const inFlight = primary.reports.slice(0, primary.reports.indexOf(seen)).filter(started).length;
    primary.send({ cmd: 'shutdown' });
    await primary.waitFor((r) => r.event === 'shutdown-done');
    await loop;
    agent.destroy();
    // Every request sent was answered; the one in flight said its connection closes,
    // and the next one found the port closed.
    expect(outcomes.slice(0, inFlight).every((o) => o === 'keep-alive')).toBe(true);
    expect(outcomes.slice(inFlight)).toEqual(['close', 'ECONNREFUSED']);
    expect(primary.stderr()).not.toMatch(/killing it/);
  });
});
