import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { forkedPids, freePort, get, killAll, type Primary, startPrimary } from './helpers.js';

let blocker: Server | undefined;
afterEach(async () => {
  await killAll();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});

/** Holds `port` on every interface, as another program would. */
function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

/** The reports of `event` once both workers exited and a round trip went through. */
async function afterExits(primary: Primary, exits: number) {
  for (let seen = 0; seen < exits; ) {
    seen = primary.reports.filter((r) => r.event === 'exit').length;
    if (seen < exits) {
      const from = primary.reports.length;
      await primary.waitFor((r) => r.event === 'exit', from);
    }
  }
  // A respawn is reported in the same tick as the exit it follows: after one more round
  // trip to the primary, any respawn would be in the reports.
  const from = primary.reports.length;
  primary.send({ cmd: 'workers' });
  return primary.waitFor((r) => r.event === 'workers', from);
}

describe('fatal failures', () => {
  it('exitFatal() on EADDRINUSE: no respawn, ready rejects WORKER_FATAL, one fatal event per worker', async ({
    expect,
  }) => {
    const port = await freePort();
    blocker = await occupy(port);
    const primary = startPrimary(
      { workers: 2, backoff: { initialMs: 10, maxMs: 20 } },
      { PORT: String(port), WORKER_MODE: 'fatal' },
    );
    expect(await primary.waitFor((r) => r.event === 'ready-failed')).toMatchObject({
      code: 'WORKER_FATAL',
    });
    const state = await afterExits(primary, 2);
    expect(state.pids).toEqual([]);
    expect(forkedPids(primary)).toHaveLength(2);
    expect(primary.reports.filter((r) => r.event === 'respawn')).toEqual([]);
    const fatal = primary.reports.filter((r) => r.event === 'fatal');
    expect(fatal.map((r) => r.reason)).toEqual([
      `port ${port} is in use: free it or choose another`,
      `port ${port} is in use: free it or choose another`,
    ]);
    expect(fatal.map((r) => r.seat).sort()).toEqual([0, 1]);
    expect(primary.stderr()).toContain(
      `a restart cannot fix it: port ${port} is in use: free it or choose another`,
    );
    expect(primary.stderr()).not.toMatch(/respawning/);
    expect(primary.child.exitCode).toBeNull();
  });

  it('an exit with FATAL_EXIT_CODE and no message is not respawned either', async ({ expect }) => {
    const primary = startPrimary(
      { workers: 1, backoff: { initialMs: 10, maxMs: 20 } },
      { WORKER_MODE: 'exit-78' },
    );
    expect(await primary.waitFor((r) => r.event === 'ready-failed')).toMatchObject({
      code: 'WORKER_FATAL',
    });
    await afterExits(primary, 1);
    expect(forkedPids(primary)).toHaveLength(1);
    expect(primary.reports.filter((r) => r.event === 'respawn')).toEqual([]);
    expect(await primary.waitFor((r) => r.event === 'fatal')).toMatchObject({
      seat: 0,
      reason: expect.stringContaining('code 78'),
    });
  });

  it('reload() whose replacement fails fatally rejects WORKER_FATAL and the old worker keeps serving', async ({
    expect,
  }) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statewire-cluster-'));
    const fatalFile = join(dir, 'fatal');
    const primary = startPrimary({ workers: 1 }, { PORT: String(port), FATAL_FILE: fatalFile });
    const [old] = (await primary.waitFor((r) => r.event === 'ready')).pids ?? [];
    writeFileSync(fatalFile, '');
    const from = primary.reports.length;
    primary.send({ cmd: 'reload' });
    expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
      code: 'WORKER_FATAL',
    });
    expect(Number((await get(port)).body)).toBe(old);
    expect(primary.reports.slice(from).filter((r) => r.event === 'respawn')).toEqual([]);
    expect(await primary.waitFor((r) => r.event === 'fatal', from)).toMatchObject({
      seat: 0,
      reason: 'bad config',
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a reload whose old worker dies while its replacement fails fatally leaves the seat empty, the primary running, and the next reload fills it', async ({
    expect,
  }) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statewire-cluster-'));
    const fatalFile = join(dir, 'fatal');
    try {
      const primary = startPrimary(
        { workers: 1, backoff: { initialMs: 20 } },
        { PORT: String(port), FATAL_FILE: fatalFile, UNREF_CHANNEL: '1' },
      );
      const [old] = (await primary.waitFor((r) => r.event === 'ready')).pids ?? [];
      writeFileSync(fatalFile, '');
      let from = primary.reports.length;
      primary.send({ cmd: 'reload' });
      await primary.waitFor((r) => r.event === 'fork', from);
      process.kill(old as number, 'SIGKILL');
      expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
        code: 'WORKER_FATAL',
      });
      // Nothing runs on the seat, and nothing but the supervisor holds the primary open.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(primary.child.exitCode).toBeNull();
      primary.send({ cmd: 'workers' });
      expect((await primary.waitFor((r) => r.event === 'workers', from)).pids).toEqual([]);
      rmSync(fatalFile);
      from = primary.reports.length;
      primary.send({ cmd: 'reload' });
      const reloaded = await primary.waitFor((r) => r.event === 'reloaded', from);
      expect(reloaded.pids).toHaveLength(1);
      expect(Number((await get(port)).body)).toBe(reloaded.pids?.[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a reload asked for during a shutdown is refused SHUT_DOWN, and the log says so', async ({
    expect,
  }) => {
    const port = await freePort();
    const primary = startPrimary(
      { workers: 1, shutdownTimeoutMs: 3000 },
      { PORT: String(port), WORKER_MODE: 'stubborn' },
    );
    await primary.waitFor((r) => r.event === 'ready');
    const from = primary.reports.length;
    primary.send({ cmd: 'shutdown' });
    await primary.waitFor((r) => r.event === 'shutdown', from);
    primary.send({ cmd: 'reload' });
    expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
      code: 'SHUT_DOWN',
    });
    expect(primary.stderr()).toMatch(/reload refused: the supervisor is shutting down/);
  });
});
