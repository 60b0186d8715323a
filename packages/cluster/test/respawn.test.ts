import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { forkedPids, freePort, get, killAll, startPrimary } from './helpers.js';

afterEach(killAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('respawn', () => {
  it('a SIGKILLed worker is respawned after an exponential backoff, with a respawn event', async ({
    expect,
  }) => {
    const port = await freePort();
    const backoff = { initialMs: 200, factor: 3, jitter: 0 };
    const primary = startPrimary(
      { workers: 1, backoff, healthyAfterMs: 600_000 },
      { PORT: String(port) },
    );
    const [first] = (await primary.waitFor((r) => r.event === 'ready')).pids ?? [];
    expect(first).toBeTypeOf('number');

    let from = primary.reports.length;
    process.kill(first as number, 'SIGKILL');
    const exit = await primary.waitFor((r) => r.event === 'exit', from);
    expect(exit).toMatchObject({ pid: first, code: null, signal: 'SIGKILL' });
    const respawn = await primary.waitFor((r) => r.event === 'respawn', from);
    expect(respawn).toMatchObject({ seat: 0, delayMs: 200 });
    const second = (await primary.waitFor((r) => r.event === 'listening', from)).pid;
    expect(second).not.toBe(first);
    expect(forkedPids(primary, from)).toEqual([second]);
    expect(Number((await get(port)).body)).toBe(second);

    // A second crash before healthyAfterMs backs off further.
    from = primary.reports.length;
    process.kill(second as number, 'SIGKILL');
    expect(await primary.waitFor((r) => r.event === 'respawn', from)).toMatchObject({
      seat: 0,
      delayMs: 600,
    });
    const third = (await primary.waitFor((r) => r.event === 'listening', from)).pid;
    expect([first, second]).not.toContain(third);
    expect(primary.stderr()).toMatch(
      /worker \d+ \(pid \d+\) exited by signal SIGKILL; respawning in 600 ms/,
    );
  });

  it('a worker that stayed up healthyAfterMs is respawned after initialMs again', async ({
    expect,
  }) => {
    const port = await freePort();
    const backoff = { initialMs: 150, jitter: 0 };
    const primary = startPrimary(
      { workers: 1, backoff, healthyAfterMs: 0 },
      { PORT: String(port) },
    );
    let pid = (await primary.waitFor((r) => r.event === 'ready')).pids?.[0];
    const delays: unknown[] = [];
    for (let i = 0; i < 2; i += 1) {
      const from = primary.reports.length;
      process.kill(pid as number, 'SIGKILL');
      delays.push((await primary.waitFor((r) => r.event === 'respawn', from)).delayMs);
      pid = (await primary.waitFor((r) => r.event === 'listening', from)).pid;
    }
    expect(delays).toEqual([150, 150]);
  });

  it('a crash loop gives the seat up after maxRestarts and forks no more', async ({ expect }) => {
    const backoff = { initialMs: 20, maxMs: 50 };
    const primary = startPrimary(
      { workers: 1, maxRestarts: 3, restartWindowMs: 600_000, backoff },
      { WORKER_MODE: 'crash' },
    );
    const giveUp = await primary.waitFor((r) => r.event === 'give-up');
    expect(giveUp.seat).toBe(0);
    expect(giveUp.reason).toEqual(expect.any(String));
    expect(await primary.waitFor((r) => r.event === 'ready-failed')).toMatchObject({
      code: 'GAVE_UP',
    });
    // The first worker and maxRestarts respawns.
    expect(forkedPids(primary)).toHaveLength(4);
    expect(primary.reports.filter((r) => r.event === 'respawn')).toHaveLength(3);

    // Far longer than any backoff delay: a wrong respawn would have happened by now.
    await sleep(1000);
    const from = primary.reports.length;
    primary.send({ cmd: 'workers' });
    const state = await primary.waitFor((r) => r.event === 'workers', from);
    expect(state.pids).toEqual([]);
    expect(state.clusterForks).toBe(4);
    expect(forkedPids(primary)).toHaveLength(4);
    // One clear line, and the primary itself keeps running.
    expect(primary.stderr().match(/giving up/g)).toHaveLength(1);
    expect(primary.child.exitCode).toBeNull();
  });

  it('a primary whose only seat gave up keeps running with nothing else holding it, and a reload after the fix fills the seat', async ({
    expect,
  }) => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-give-up-'));
    const failFile = join(dir, 'fail');
    writeFileSync(failFile, '');
    try {
      const port = await freePort();
      const primary = startPrimary(
        { workers: 1, maxRestarts: 2, restartWindowMs: 600_000, backoff: { initialMs: 20 } },
        { PORT: String(port), FAIL_FILE: failFile, UNREF_CHANNEL: '1' },
      );
      await primary.waitFor((r) => r.event === 'give-up');
      // Without a hold, the primary exits 0 here, with its workers and the state it holds.
      await sleep(1500);
      expect(primary.child.exitCode).toBeNull();
      rmSync(failFile);
      primary.send({ cmd: 'reload' });
      const reloaded = await primary.waitFor((r) => r.event === 'reloaded');
      expect(reloaded.pids).toHaveLength(1);
      expect(Number((await get(port)).body)).toBe(reloaded.pids?.[0]);
      primary.send({ cmd: 'shutdown' });
      await primary.waitFor((r) => r.event === 'shutdown-done');
      // Every seat full again, then shut down: nothing holds the primary any more.
      expect(await primary.exited).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
