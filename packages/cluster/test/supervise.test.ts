import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'vitest';
import { supervise } from '../src/index.js';
import { forkedPids, freePort, get, killAll, startPrimary } from './helpers.js';

afterEach(killAll);

// A worker script that exists, so that each malformed option below is what is refused.
const worker = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

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
      { exec: worker, workers: 0 },
      { exec: worker, workers: 1.5 },
      { exec: worker, maxRestarts: -1 },
      { exec: worker, readyOn: 'online' },
      { exec: worker, shutdownTimeoutMs: -1 },
      { exec: worker, readyTimeoutMs: 2 ** 31 },
      { exec: worker, logger: 'stderr' },
      { exec: worker, args: [1] },
      { exec: worker, serialization: 'binary' },
      { exec: worker, backoff: { factor: 0 } },
      // Accepted before (as defaults, or as handlers installed for a truthy string).
      { exec: worker, backoff: 'fast' },
      { exec: worker, backoff: 5 },
      { exec: worker, signals: 'no' },
      { exec: worker, signals: null },
      // null is no "not given": these quietly became their defaults.
      { exec: worker, workers: null },
      { exec: worker, maxRestarts: null },
      { exec: worker, shutdownTimeoutMs: null },
      { exec: worker, env: ['A=1'] },
      { exec: worker, env: { A: 1 } },
    ];
    for (const options of bad) {
      expect(() => supervise(options as never), JSON.stringify(options)).toThrow(TypeError);
    }
    // A null backoff names the option instead of failing inside the code that reads it.
    expect(() => supervise({ exec: worker, backoff: null } as never)).toThrow(/^backoff must/);
    // A worker script that is not there: one line, not a crash loop of stack traces.
    expect(() => supervise({ exec: 'no-such-worker.js' })).toThrow(
      /^exec: there is no worker script at .*no-such-worker\.js/,
    );
    expect(() => supervise({ exec: dirname(worker) })).toThrow(/^exec: there is no worker script/);
  });
});
