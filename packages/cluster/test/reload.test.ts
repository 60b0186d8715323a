import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { forkedPids, freePort, get, killAll, type Primary, startPrimary } from './helpers.js';

afterEach(killAll);

/** Requests on fresh connections from `concurrency` loops until stop() is called. */
function loadUntilStopped(port: number, concurrency: number) {
  const answeredBy = new Map<number, number>();
  const failures: string[] = [];
  let ok = 0;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        const response = await get(port);
        if (response.status === 200) {
          ok += 1;
          const pid = Number(response.body);
          answeredBy.set(pid, (answeredBy.get(pid) ?? 0) + 1);
        } else {
          failures.push(`status ${response.status}`);
        }
      } catch (error) {
        failures.push(String((error as Error).message));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    answeredBy,
    failures,
    ok: () => ok,
    /** Resolves once `count` more requests succeeded (or failures appeared). */
    async moreAnswers(count: number) {
      const target = ok + count;
      while (ok < target && failures.length === 0) await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

async function reloadUnderLoad(primary: Primary, port: number, trigger: () => void) {
  const { pids: oldPids = [] } = await primary.waitFor((r) => r.event === 'ready');
  const load = loadUntilStopped(port, 4);
  try {
    await load.moreAnswers(20);
    const from = primary.reports.length;
    trigger();
    const done = await primary.waitFor((r) => r.event.startsWith('reload-'), from);
    await load.moreAnswers(20);
    return { oldPids, done, load, from };
  } finally {
    await load.stop();
  }
}

describe('reload()', () => {
  const reloadCall = (primary: Primary) => primary.send({ cmd: 'reload' });
  const hangup = (primary: Primary) => primary.child.kill('SIGHUP');
  // With one worker, nothing else could serve while the only one is replaced.
  it.for([
    ['reload()', 1, reloadCall],
    ['reload()', 2, reloadCall],
    ['SIGHUP', 1, hangup],
    ['SIGHUP', 2, hangup],
  ] as const)(
    '%s with %i worker(s) under continuous load fails no request and replaces them all',
    async ([, workers, trigger], { expect }) => {
      const port = await freePort();
      const primary = startPrimary({ workers }, { PORT: String(port) });
      const { oldPids, done, load, from } = await reloadUnderLoad(primary, port, () =>
        trigger(primary),
      );

      expect(load.failures).toEqual([]);
      expect(done.event).toBe('reload-done');
      const newPids = done.pids ?? [];
      expect(newPids).toHaveLength(workers);
      expect(oldPids).toHaveLength(workers);
      for (const pid of newPids) expect(oldPids).not.toContain(pid);
      // The load really spanned the reload: old and new workers both answered it.
      const answered = [...load.answeredBy.keys()];
      expect(answered.some((pid) => oldPids.includes(pid))).toBe(true);
      expect(answered.some((pid) => newPids.includes(pid))).toBe(true);
      // The old workers left gracefully, and their deliberate exits were not respawned.
      const exits = primary.reports.slice(from).filter((r) => r.event === 'exit');
      expect(exits.map((r) => r.pid).sort()).toEqual([...oldPids].sort());
      expect(exits.every((r) => r.code === 0 && r.signal === null)).toBe(true);
      expect(primary.reports.some((r) => r.event === 'respawn')).toBe(false);
    },
  );

  it('reload() keeps the old workers when a replacement fails, and rejects with WORKER_EXITED', async ({
    expect,
  }) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statewire-cluster-'));
    const failFile = join(dir, 'fail');
    try {
      const primary = startPrimary({ workers: 2 }, { PORT: String(port), FAIL_FILE: failFile });
      const { pids: oldPids = [] } = await primary.waitFor((r) => r.event === 'ready');

      writeFileSync(failFile, '');
      let from = primary.reports.length;
      primary.send({ cmd: 'reload' });
      expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
        code: 'WORKER_EXITED',
      });
      primary.send({ cmd: 'workers' });
      const state = await primary.waitFor((r) => r.event === 'workers', from);
      expect(state.pids).toEqual(oldPids);
      expect(oldPids).toContain(Number((await get(port)).body));
      expect(primary.reports.some((r) => r.event === 'respawn')).toBe(false);

      // Fixed code: the next reload goes through.
      rmSync(failFile);
      from = primary.reports.length;
      primary.send({ cmd: 'reload' });
      const reloaded = await primary.waitFor((r) => r.event.startsWith('reload'), from);
      const done = await primary.waitFor(
        (r) => r.event === 'reloaded' || r.event === 'reload-rejected',
        from,
      );
      expect(reloaded.event).toBe('reload');
      expect(done.event).toBe('reloaded');
      expect(done.pids).toHaveLength(2);
      for (const pid of done.pids ?? []) expect(oldPids).not.toContain(pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reload() during a reload runs exactly one more reload after it', async ({ expect }) => {
    const port = await freePort();
    const primary = startPrimary({ workers: 1 }, { PORT: String(port) });
    const { pids: oldPids = [] } = await primary.waitFor((r) => r.event === 'ready');
    const from = primary.reports.length;
    primary.send({ cmd: 'reload-thrice' });
    const done = await primary.waitFor((r) => r.event === 'reloaded-thrice', from);
    expect(done).toMatchObject({ firstDiffers: true, restCoalesced: true });
    expect(primary.reports.slice(from).filter((r) => r.event === 'reload')).toHaveLength(2);
    expect(forkedPids(primary, from)).toHaveLength(2);
    expect(done.pids).toEqual([forkedPids(primary, from)[1]]);
    expect(oldPids).not.toContain(Number((await get(port)).body));
  });

  it('reload() rejects with SHUT_DOWN when shutdown() comes before its replacement is ready', async ({
    expect,
  }) => {
    const port = await freePort();
    const primary = startPrimary({ workers: 2 }, { PORT: String(port) });
    await primary.waitFor((r) => r.event === 'ready');
    const from = primary.reports.length;
    primary.send({ cmd: 'shutdown-during-reload' });
    expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
      code: 'SHUT_DOWN',
    });
    expect(await primary.waitFor((r) => r.event === 'shutdown-done', from)).toMatchObject({
      pids: [],
    });
    // The two old workers and the one replacement all exited; nothing was respawned.
    expect(primary.reports.slice(from).filter((r) => r.event === 'exit')).toHaveLength(3);
    expect(forkedPids(primary, from)).toHaveLength(1);
    expect(primary.reports.some((r) => r.event === 'respawn')).toBe(false);
  });

  it('reload() kills a replacement that is not ready within readyTimeoutMs, and rejects with READY_TIMEOUT', async ({
    expect,
  }) => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statewire-cluster-'));
    const hangFile = join(dir, 'hang');
    try {
      const primary = startPrimary(
        { workers: 1, readyTimeoutMs: 1000 },
        { PORT: String(port), HANG_FILE: hangFile },
      );
      const { pids: oldPids = [] } = await primary.waitFor((r) => r.event === 'ready');
      writeFileSync(hangFile, '');
      const from = primary.reports.length;
      primary.send({ cmd: 'reload' });
      expect(await primary.waitFor((r) => r.event === 'reload-rejected', from)).toMatchObject({
        code: 'READY_TIMEOUT',
      });
      const [replacement] = forkedPids(primary, from);
      expect(primary.reports.slice(from).find((r) => r.event === 'exit')).toMatchObject({
        pid: replacement,
        signal: 'SIGKILL',
      });
      primary.send({ cmd: 'workers' });
      expect(await primary.waitFor((r) => r.event === 'workers', from)).toMatchObject({
        pids: oldPids,
      });
      expect(oldPids).toContain(Number((await get(port)).body));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
