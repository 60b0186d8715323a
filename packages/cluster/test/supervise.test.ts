import { afterEach, describe, it } from 'vitest';
import { supervise } from '../src/index.js';
import { forkedPids, freePort, get, killAll, startPrimary } from './helpers.js';

afterEach(killAll);

describe('supervise()', () => {
  it('supervise() forks the workers and resolves ready when all are listening', async ({
    expect,
  }) => {
    const port = await freePort();
    const primary = startPrimary({ workers: 2 }, { PORT: String(port) });
    const ready = await primary.waitFor((r) => r.event === 'ready');

    const forked = forkedPids(primary);
    expect(forked).toHaveLength(2);
    expect(new Set(ready.pids)).toEqual(new Set(forked));
    const listening = primary.reports.filter((r) => r.event === 'listening');
    expect(new Set(listening.map((r) => r.pid))).toEqual(new Set(forked));
    expect(listening.every((r) => r.port === port)).toBe(true);

    for (let i = 0; i < 4; i += 1) {
      const response = await get(port);
      expect(response.status).toBe(200);
      expect(forked).toContain(Number(response.body));
    }
    // The default logger writes one line per event to stderr.
    expect(primary.stderr()).toContain('[statewire/cluster] all 2 workers ready');
  });

  it('supervise() leaves cluster-wide listeners of other code working', async ({ expect }) => {
    const port = await freePort();
    const primary = startPrimary({ workers: 2 }, { PORT: String(port) });
    await primary.waitFor((r) => r.event === 'ready');
    const from = primary.reports.length;
    primary.send({ cmd: 'workers' });
    const state = await primary.waitFor((r) => r.event === 'workers', from);
    expect(state.clusterForks).toBe(2);
    expect(state.clusterListeners).toBe(2);
    // Worker messages still reach the other code's cluster.on('message').
    await get(port, '/slow');
    const relayed = await primary.waitFor((r) => r.event === 'worker-message');
    expect(relayed.message).toEqual({ slowStarted: relayed.pid });
  });

  it("supervise() with readyOn 'message' is ready on the workers' ready messages", async ({
    expect,
  }) => {
    const primary = startPrimary({ workers: 2, readyOn: 'message' }, { WORKER_MODE: 'message' });
    const ready = await primary.waitFor((r) => r.event === 'ready');
    expect(new Set(ready.pids)).toEqual(new Set(forkedPids(primary)));
    expect(ready.pids).toHaveLength(2);
    expect(primary.reports.some((r) => r.event === 'listening')).toBe(false);
  });

  it('supervise() rejects malformed options with a TypeError, before forking', ({ expect }) => {
    const bad: unknown[] = [
      undefined,
      {},
      { exec: '' },
      { exec: 'w.js', workers: 0 },
      { exec: 'w.js', workers: 1.5 },
      { exec: 'w.js', maxRestarts: -1 },
      { exec: 'w.js', readyOn: 'online' },
      { exec: 'w.js', shutdownTimeoutMs: -1 },
      { exec: 'w.js', readyTimeoutMs: 2 ** 31 },
      { exec: 'w.js', logger: 'stderr' },
      { exec: 'w.js', args: [1] },
      { exec: 'w.js', serialization: 'binary' },
      { exec: 'w.js', backoff: { factor: 0 } },
      // Accepted before (as defaults, or as handlers installed for a truthy string).
      { exec: 'w.js', backoff: 'fast' },
      { exec: 'w.js', backoff: 5 },
      { exec: 'w.js', signals: 'no' },
      { exec: 'w.js', signals: null },
      { exec: 'w.js', env: ['A=1'] },
      { exec: 'w.js', env: { A: 1 } },
    ];
    for (const options of bad) {
      expect(() => supervise(options as never), JSON.stringify(options)).toThrow(TypeError);
    }
    // A null backoff names the option instead of failing inside the code that reads it.
    expect(() => supervise({ exec: 'w.js', backoff: null } as never)).toThrow(/^backoff must/);
  });
});
