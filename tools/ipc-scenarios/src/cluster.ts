// End to end over real node:cluster workers: a fixture primary serve()s and forks workers
// running fixtures/roles/ (see fixtures/primary.mjs for the plans).
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  type Proc,
  type Report,
  spawnFixture,
  type Tally,
  type TransportUnderTest,
  waitForExit,
} from './support.js';

function startPrimary(t: TransportUnderTest, options: object): Proc {
  return spawnFixture(t, 'primary.mjs', 'primary', options);
}

/** Waits for the primary's `closed` report, then for it to exit on its own (code 0). */
async function expectCleanExit(primary: Proc): Promise<void> {
  await primary.waitFor('closed');
  expect(await primary.exited).toEqual({ code: 0, signal: null });
  expect(primary.log.crashes()).toEqual([]);
}

const reportsOf = (primary: Proc, event: string): Report[] =>
  primary.log.list.filter((r) => r.event === event);

/** The `done` report of the worker that ran `role`. */
function doneOf(primary: Proc, role: string): Report {
  const report = primary.log.list.find((r) => r.event === 'done' && r.role === role);
  if (!report) throw new Error(`no done report of ${role}\n${primary.log.diagnostics()}`);
  return report;
}

export function clusterScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: end to end over real node:cluster workers`, () => {
    afterEach(cleanup);

    it('serve() in a cluster primary: 4 workers × 500 concurrent increment() end at exactly 2000, setIfAbsent() has one winner, and the primary exits on its own after host.close()', async () => {
      // The workers also listen on port 0, so Node's own cluster messages and a passed
      // handle travel on the same channels as statewire's frames.
      const primary = startPrimary(t, { plan: 'increments', workers: 4, n: 500, http: true });
      const counted = await primary.waitFor('counted');
      expect(counted.hits).toBe(2000);
      const done = reportsOf(primary, 'done');
      expect(done).toHaveLength(4);
      for (const worker of done) {
        expect(worker.tally).toMatchObject({ total: 500, ok: 500 });
        expect(worker.distinct).toBe(500);
      }
      // setIfAbsent() raced by the 4 workers: exactly one winner, and its value stayed.
      const winners = done.filter((worker) => (worker.won as { value: unknown }).value === true);
      expect(winners).toHaveLength(1);
      expect(counted.winner).toBe(winners[0]?.pid);
      const stats = counted.stats as Record<string, number>;
      // 4 workers and the primary's own store.
      expect(stats.clients).toBe(5);
      // A transport with side sockets moves every worker to one; otherwise it stays on the channel.
      expect(stats.sideSockets).toBe(t.sideSocket ? 4 : 0);
      expect(stats.malformedIn).toBe(0);
      const after = await primary.waitFor('stats-after');
      expect(after.stats).toMatchObject({ clients: 1, sideSockets: 0 });
      await expectCleanExit(primary);
    });

    it('serve() serves workers forked before it, after it, and a respawned one (kill one, fork another)', async () => {
      const primary = startPrimary(t, {
        plan: 'increments',
        before: 1,
        workers: 3,
        n: 300,
        respawn: true,
      });
      expect((await primary.waitFor('counted')).hits).toBe(900);
      const respawned = await primary.waitFor('respawned');
      expect(respawned.hits).toBe(1200);
      // The killed worker's client is gone; 2 old workers, the new one and the primary's store.
      expect((respawned.stats as Record<string, number>).clients).toBe(4);
      for (const worker of reportsOf(primary, 'done'))
        expect(worker.tally).toMatchObject({ total: 300, ok: 300 });
      await expectCleanExit(primary);
    });

    it('serve() in a cluster primary: values written by one worker read back exactly (types too) in another; a random 1 MiB blob byte-exact', async () => {
      const primary = startPrimary(t, { plan: 'values', blobSize: 1024 * 1024 });
      await primary.waitFor('values-done');
      expectValuesCrossed(t, primary);
      await expectCleanExit(primary);
    });

    if (t.sideSocket) {
      it('serve({ sideSocket: false }) and connect({ sideSocket: false }) keep every frame on the IPC channel, and values still cross exactly', async () => {
        const hostSide = startPrimary(t, {
          plan: 'increments',
          workers: 2,
          n: 500,
          serve: { sideSocket: false },
        });
        const clientSide = startPrimary(t, {
          plan: 'values',
          blobSize: 1024 * 1024,
          connect: { sideSocket: false },
        });
        const counted = await hostSide.waitFor('counted');
        expect(counted.hits).toBe(1000);
        expect(counted.stats).toMatchObject({ clients: 3, sideSockets: 0 });
        const valuesDone = await clientSide.waitFor('values-done');
        expect(valuesDone.stats).toMatchObject({ sideSockets: 0 });
        expectValuesCrossed(t, clientSide);
        await expectCleanExit(hostSide);
        await expectCleanExit(clientSide);
      });
    }

    it("serve() with cluster.setupPrimary({ serialization: 'advanced' }): increments exact, values cross exactly", async () => {
      const counting = startPrimary(t, {
        plan: 'increments',
        workers: 4,
        n: 500,
        serialization: 'advanced',
      });
      const values = startPrimary(t, {
        plan: 'values',
        blobSize: 1024 * 1024,
        serialization: 'advanced',
      });
      const counted = await counting.waitFor('counted');
      expect(counted.hits).toBe(2000);
      expect((counted.stats as Record<string, number>).sideSockets).toBe(t.sideSocket ? 4 : 0);
      await values.waitFor('values-done');
      expectValuesCrossed(t, values);
      await expectCleanExit(counting);
      await expectCleanExit(values);
    });

    it('primary death (SIGKILL) under load: Node exits each cluster worker when its primary dies, so nothing hangs', async () => {
      // RELIABILITY A1 for cluster: Node's cluster worker runs process.exit(0) from its own
      // 'disconnect' listener, registered before any of ours, as soon as the channel to the
      // primary closes. The worker's pending calls therefore cannot be observed rejecting;
      // what must hold is that the worker goes, at once, instead of hanging. (fork children
      // and worker threads, which Node does not exit, are covered in the A1 fork test.)
      const primary = startPrimary(t, { plan: 'primary-death' });
      await primary.waitFor('loaded');
      const worker = (await primary.waitFor('fork')).child as number;
      primary.child?.kill('SIGKILL');
      await primary.exited;
      await waitForExit(worker);
      expect(primary.log.crashes()).toEqual([]);
    });

    it('random kills: 4 workers under load, 2 killed at random moments; the survivors see only their own replies and every call of theirs succeeds', async () => {
      const primary = startPrimary(t, { plan: 'random-kills', kills: 2 });
      const survived = await primary.waitFor('survived');
      const survivors = survived.survivors as number[];
      expect(survivors).toHaveLength(2);
      const killed = reportsOf(primary, 'killed').map((r) => r.child);
      expect(killed).toHaveLength(2);
      for (const pid of survivors) {
        const summary = await primary.waitFor((r) => r.event === 'summary' && r.pid === pid);
        expect(summary).toMatchObject({ errors: 0, mismatches: 0, stats: { pending: 0 } });
        // They kept working through both kills.
        expect(summary.rounds as number).toBeGreaterThanOrEqual(2);
      }
      // The two survivors and the primary's own store; the killed workers' state is gone.
      expect((survived.stats as Record<string, number>).clients).toBe(3);
      await expectCleanExit(primary);
    });
  });
}

function expectValuesCrossed(t: TransportUnderTest, primary: Proc): void {
  const written = doneOf(primary, 'values-write').tally as Tally;
  expect(written.ok).toBe(written.total);
  const read = doneOf(primary, 'values-read');
  expect(read.mismatches).toEqual([]);
  expect(read.singleMismatches).toEqual([]);
  expect(read.count as number).toBeGreaterThan(20);
  const blobWritten = doneOf(primary, 'blob-write');
  const blobRead = doneOf(primary, 'blob-read');
  expect(blobWritten.result).toMatchObject({ ok: true });
  expect(blobRead.sha).toBe(blobWritten.sha);
  // msgpack gives a Buffer back (not a Uint8Array, not an array); JSON a base64 string.
  expect(blobRead.isBuffer).toBe(t.codec === 'msgpack');
}
