// RELIABILITY A (processes and channels) with real processes. Where the holder itself must
// die or stall, it is fixtures/holder.mjs (the test process cannot SIGSTOP itself); its child
// stops and resumes it (process.kill(ppid, ...)) at exactly the right moment.
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  Driver,
  eventually,
  forkClient,
  load,
  loadFrames,
  localStore,
  ManualHost,
  type Outcome,
  type Proc,
  serveHere,
  spawnFixture,
  startThread,
  type Tally,
  type TransportUnderTest,
  until,
  waitForExit,
} from './support.js';

const MiB = 1024 * 1024;

/** fixtures/holder.mjs serving one fork child that runs `role`. */
function startHolder(
  t: TransportUnderTest,
  role: string,
  childOptions: object,
  holderOptions: object = {},
): Proc {
  return spawnFixture(t, 'holder.mjs', 'holder', holderOptions, {
    SW_CHILD_ROLE: role,
    SW_CHILD_OPTIONS: JSON.stringify(childOptions),
  });
}

/** Resolves once the driver's client has its welcome (the hand-written host answered). */
async function welcomed(driver: Driver): Promise<void> {
  await eventually(
    () => driver.stats(),
    ({ stats }) => (stats[0]?.framesIn ?? 0) >= 1,
    'the welcome',
  );
}

export function processScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: RELIABILITY A, processes and channels`, () => {
    afterEach(cleanup);

    it('holder death (A1): the holder is SIGKILLed with 1000 calls in flight; every call of the fork child rejects CONNECTION_LOST (writes maybeApplied: true) and the child exits', async () => {
      const holder = startHolder(t, 'in-flight', { n: 1000 });
      // The child stopped the holder, so no reply can come: the calls are in flight.
      const inFlight = await holder.waitFor('in-flight');
      expect(inFlight.stats).toMatchObject({ pending: 1000, queued: 0 });
      holder.child?.kill('SIGKILL');
      const settled = await holder.waitFor('settled');
      expect(settled.writes).toMatchObject({
        total: 500,
        ok: 0,
        CONNECTION_LOST: 500,
        maybeApplied: { true: 500, false: 0, absent: 0 },
      });
      expect(settled.reads).toMatchObject({
        total: 500,
        ok: 0,
        CONNECTION_LOST: 500,
        maybeApplied: { absent: 500 },
      });
      expect(settled.stats).toMatchObject({ pending: 0, queued: 0, timers: 0 });
      const later = (await holder.waitFor('later')).later as Outcome;
      expect(later).toMatchObject({ ok: false, code: 'CONNECTION_LOST', stateError: true });
      // The message names the transport (and the calls that were pending, their operation).
      expect(later.message).toMatch(/^@statewire\/ipc(-msgpack)?: /);
      // With the channel gone nothing keeps the child alive.
      expect((await holder.waitFor('exit')).code).toBe(0);
      await waitForExit(inFlight.pid);
      expect(holder.log.crashes()).toEqual([]);
    });

    it('worker killed (A2): a child killed with 1000 replies pending (and a thread terminated) is dropped; the host keeps serving the others and never crashes', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const local = localStore(mod, host);
      const survivor = forkClient(t, 'verify-load', { concurrency: 10 });
      host.attach(survivor.child!);
      const victim = new Driver(forkClient(t, 'driver'));
      host.attach(victim.proc.child!);
      const thread = new Driver(startThread(t, 'driver'));
      host.attach(thread.proc.worker!);
      await Promise.all([
        survivor.waitFor('ready'),
        victim.proc.waitFor('ready'),
        thread.proc.waitFor('ready'),
      ]);
      expect(await victim.call('set', 'big', { $repeat: ['x', 10_000] })).toMatchObject({
        ok: true,
      });
      const clients = host.stats().clients;
      expect(clients).toBe(4);
      // 1000 gets of a 10 kB value (10 MB of replies); the victims then stop reading.
      const callsBefore = host.stats().calls;
      await victim.burst({ method: 'get', args: ['big'], n: 1000, blockMs: 60_000 });
      await thread.burst({ method: 'get', args: ['big'], n: 1000, blockMs: 60_000 });
      await until(() => host.stats().calls >= callsBefore + 2000, 'the host to answer both bursts');
      victim.proc.child?.kill('SIGKILL');
      await thread.proc.worker?.terminate();
      await victim.proc.exited;
      await until(() => host.stats().clients === 2, 'the host to drop both victims');
      expect(await local.increment('still-serving')).toBe(1);
      // The survivor worked on through it, every call answered and checked.
      survivor.send({ fx: 'stop' });
      const summary = await survivor.waitFor('summary');
      expect(summary).toMatchObject({ errors: 0, mismatches: 0 });
    });

    it('channel disconnect by the parent (A3): child.disconnect() rejects pending calls CONNECTION_LOST at once, later calls too, and the child exits', async () => {
      // A hand-written host that never answers: calls stay pending until the channel goes.
      const proc = forkClient(t, 'driver', { connect: { timeout: 60_000 } });
      new ManualHost(proc.child!, await loadFrames(t));
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      await welcomed(driver);
      const writes = await driver.burst({ method: 'set', args: ['w{i}', 1], n: 100 });
      const reads = await driver.burst({ method: 'get', args: ['r{i}'], n: 100, later: true });
      expect(reads.issued.stats).toMatchObject({ pending: 200, queued: 0 });
      proc.child?.disconnect();
      const w = await writes.result;
      const r = await reads.result;
      expect(w.tally).toMatchObject({
        total: 100,
        CONNECTION_LOST: 100,
        maybeApplied: { true: 100 },
      });
      expect(r.tally).toMatchObject({
        total: 100,
        CONNECTION_LOST: 100,
        maybeApplied: { absent: 100 },
      });
      expect(r.later).toMatchObject({ ok: false, code: 'CONNECTION_LOST' });
      expect(r.stats).toMatchObject({ pending: 0, timers: 0, queued: 0 });
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.log.crashes()).toEqual([]);
    });

    it('channel disconnect by the child (A3): process.disconnect() rejects pending calls CONNECTION_LOST at once, later calls too, with no crash on a later send', async () => {
      const proc = forkClient(t, 'driver', { connect: { timeout: 60_000 } });
      new ManualHost(proc.child!, await loadFrames(t));
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      await welcomed(driver);
      const writes = await driver.burst({
        method: 'increment',
        args: ['n', 1],
        n: 100,
        later: true,
        disconnectAfterIssue: true,
      });
      const w = await writes.result;
      expect(w.tally).toMatchObject({
        total: 100,
        CONNECTION_LOST: 100,
        maybeApplied: { true: 100 },
      });
      expect(w.later).toMatchObject({ ok: false, code: 'CONNECTION_LOST' });
      expect(w.stats).toMatchObject({ pending: 0, timers: 0 });
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.log.crashes()).toEqual([]);
    });

    it('channel disconnect with a real host (A3): the host drops the client (both ways round), keeps serving, and a later send to it does not crash', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const local = localStore(mod, host);
      const selfDisconnecting = new Driver(forkClient(t, 'driver'));
      const disconnected = new Driver(forkClient(t, 'driver'));
      host.attach(selfDisconnecting.proc.child!);
      host.attach(disconnected.proc.child!);
      await Promise.all([
        selfDisconnecting.proc.waitFor('ready'),
        disconnected.proc.waitFor('ready'),
      ]);
      await selfDisconnecting.call('get', 'warm');
      await disconnected.call('get', 'warm');
      // The child disconnects right after sending 1000 increments: the host may still be
      // answering them when the channel closes.
      const own = await selfDisconnecting.burst({
        method: 'increment',
        args: ['n', 1],
        n: 1000,
        later: true,
        disconnectAfterIssue: true,
      });
      // The parent disconnects while 1000 replies are on their way to a busy child.
      const parent = await disconnected.burst({
        method: 'get',
        args: ['warm'],
        n: 1000,
        later: true,
        blockMs: 300,
      });
      disconnected.proc.child?.disconnect();
      for (const result of [await own.result, await parent.result]) {
        const tally = result.tally as Tally;
        // Each call either got its reply before the channel closed or lost it: never a timeout.
        expect(tally.ok + ((tally.CONNECTION_LOST as number | undefined) ?? 0)).toBe(1000);
        expect(result.later).toMatchObject({ ok: false, code: 'CONNECTION_LOST' });
        expect(result.stats).toMatchObject({ pending: 0, timers: 0 });
      }
      await until(() => host.stats().clients === 1, 'the host to drop both clients');
      expect(host.stats().links).toBe(1);
      expect(await local.increment('served')).toBe(1);
      expect(await selfDisconnecting.proc.exited).toEqual({ code: 0, signal: null });
      expect(await disconnected.proc.exited).toEqual({ code: 0, signal: null });
    });

    it('stalled holder (A4): SIGSTOP for longer than the timeout; calls reject TIMEOUT (writes maybeApplied: true), late replies are dropped after SIGCONT, and the store works again', async () => {
      const holder = startHolder(t, 'stall', { n: 1000, timeout: 500 });
      const done = await holder.waitFor('done');
      expect(done.writes).toMatchObject({
        total: 500,
        ok: 0,
        TIMEOUT: 500,
        maybeApplied: { true: 500 },
      });
      expect(done.reads).toMatchObject({
        total: 500,
        ok: 0,
        TIMEOUT: 500,
        maybeApplied: { absent: 500 },
      });
      const stalled = done.stalled as Record<string, number>;
      const after = done.after as Record<string, number>;
      expect(stalled).toMatchObject({ pending: 0, timers: 0 });
      // The late replies arrived after SIGCONT and settled nothing.
      expect(after.framesIn).toBeGreaterThan(stalled.framesIn as number);
      expect(after).toMatchObject({ pending: 0, timers: 0, queued: 0 });
      // maybeApplied was honest: the holder applied every timed-out increment once resumed.
      expect(done.fresh).toMatchObject({ ok: true, value: 500 });
      const exit = await holder.waitFor('child-exit');
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect((exit.stats as Record<string, number>).clients).toBe(0);
      expect(holder.log.crashes()).toEqual([]);
    });

    it('100k timeouts (A5): calls that time out against a stopped holder leave pending 0, timers 0, and memory flat', async () => {
      const holder = startHolder(
        t,
        'timeouts-heap',
        {
          waves: 25,
          perWave: 4000,
          timeout: 100,
          valueBytes: 1024,
          maxPending: 4096,
          baselineWave: 4,
        },
        { childExecArgv: ['--expose-gc'] },
      );
      const done = await holder.waitFor('done');
      expect(done.totals).toMatchObject({ total: 100_000, TIMEOUT: 100_000 });
      expect(done.stats).toMatchObject({ pending: 0, timers: 0 });
      // 80k calls after the baseline carried 1 kB values each (80 MB): kept, they would
      // show; a bounded client stays within a few MB of the baseline.
      const growth = (done.final as number) - (done.baseline as number);
      expect(growth).toBeLessThan(32 * MiB);
      expect(holder.log.crashes()).toEqual([]);
    });

    it('back-pressure (A6): 200k calls at a stopped holder are bounded by maxPending; the excess rejects OVERLOADED at once and memory stays bounded', async () => {
      const holder = startHolder(
        t,
        'overload',
        { burst: 200_000, bursts: 2 },
        { childExecArgv: ['--expose-gc'] },
      );
      const done = await holder.waitFor('done');
      const [first, second] = done.bursts as Record<string, number>[];
      // The default maxPending is 16384: the rest of the first burst, and all of the second
      // (issued while those are still pending), reject OVERLOADED before any I/O.
      expect(first).toEqual({
        settledAtOnce: 200_000 - 16_384,
        overloaded: 200_000 - 16_384,
        other: 0,
        pending: 16_384,
      });
      expect(second).toEqual({
        settledAtOnce: 200_000,
        overloaded: 200_000,
        other: 0,
        pending: 16_384,
      });
      expect((done.peak as number) - (done.baseline as number)).toBeLessThan(64 * MiB);
      // Once resumed, the holder answers every call that was accepted.
      expect(done.resumed).toMatchObject({ total: 16_384, ok: 16_384 });
      expect(done.after).toMatchObject({ pending: 0, timers: 0, queued: 0 });
      expect(holder.log.crashes()).toEqual([]);
    });

    it('per-client order (A7): set 1; set 2; delete; set 3 without awaiting ends at 3, before the handshake, after it, and across frames', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const proc = forkClient(t, 'order');
      host.attach(proc.child!);
      const done = await proc.waitFor('done');
      expect(done).toMatchObject({ early: 3, ready: 3, split: 3, n: 1 });
      expect(done.increments).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    it('acknowledgement (A8): when set() resolves in the child, the host already holds the value', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const local = localStore(mod, host);
      const proc = forkClient(t, 'ack', { n: 20 });
      host.attach(proc.child!);
      const entriesAtAck: number[] = [];
      const valuesAtAck: unknown[] = [];
      proc.child?.on('message', (message: { fx?: string; i?: number }) => {
        if (message?.fx !== 'acked') return;
        // Looked at synchronously, the moment the child says its set() resolved.
        entriesAtAck.push(host.stats().data.entries);
        local.get(`ack:${message.i}`).then((value) => {
          valuesAtAck.push(value);
          proc.send({ fx: 'next' });
        });
      });
      await proc.waitFor('done');
      expect(entriesAtAck).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(valuesAtAck).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('connect() with no IPC channel (A10): a plain spawned process gets StateError UNAVAILABLE from connect() itself; a child whose channel is closed fails its first call', async () => {
      const proc = spawnFixture(t, 'roles/no-channel.mjs', 'no-channel');
      const done = await proc.waitFor('done');
      expect(done).toMatchObject({ threw: true, stateError: true, code: 'UNAVAILABLE' });
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      // A fork child whose channel is already closed: the first call fails, it does not hang.
      const closed = forkClient(t, 'no-channel', { disconnectFirst: true });
      expect(await closed.waitFor('done')).toMatchObject({
        threw: false,
        call: { ok: false, code: 'CONNECTION_LOST', stateError: true },
      });
      expect(await closed.exited).toEqual({ code: 0, signal: null });
    });

    it('connect() where nothing serves (A10): the first call of a fork child (and of a thread) rejects UNAVAILABLE after handshakeTimeout; no hang, no local fallback', async () => {
      const options = { connect: { handshakeTimeout: 300 } };
      for (const driver of [
        new Driver(forkClient(t, 'driver', options)),
        new Driver(startThread(t, 'driver', options)),
      ]) {
        await driver.proc.waitFor('ready');
        expect(await driver.call('set', 'k', 1)).toMatchObject({
          ok: false,
          code: 'UNAVAILABLE',
          stateError: true,
        });
        // Nothing was kept locally: a read fails the same way instead of finding the value.
        expect(await driver.call('get', 'k')).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
        const { stats } = await driver.stats();
        expect(stats[0]).toMatchObject({ pending: 0, timers: 0, queued: 0 });
      }
    });
  });
}
