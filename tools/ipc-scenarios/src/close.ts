// close() of hosts and stores with real processes: nothing is left behind, nothing keeps a
// process alive, and clients of a closed or detached host fail instead of hanging.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  Driver,
  forkClient,
  load,
  type Report,
  serveHere,
  spawnFixture,
  startThread,
  type TransportUnderTest,
  until,
  waitForExit,
} from './support.js';

/**
 * Starts fixtures/holder.mjs with its own temporary directory (TMPDIR), so that the side-
 * socket directory it makes is the only one there; resolves once its child has been served.
 */
async function holderWithTmpdir(t: TransportUnderTest, tmp: string) {
  const holder = spawnFixture(
    t,
    'holder.mjs',
    'holder',
    {},
    {
      TMPDIR: tmp,
      SW_CHILD_ROLE: 'increments',
      SW_CHILD_OPTIONS: JSON.stringify({ n: 10, after: 'hold' }),
    },
  );
  expect((await holder.waitFor('done')).tally).toMatchObject({ ok: 10 });
  return holder;
}

/** The side-socket directories in `tmp`. */
function socketDirectories(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('statewire-'));
}

/** Calls pending at close() and made after it rejected CLOSED (F36); nothing is left over. */
function expectClosed(closed: Report): void {
  expect(closed.inFlight).toEqual([
    expect.objectContaining({ ok: false, code: 'CLOSED', hasMaybeApplied: false }),
    expect.objectContaining({ ok: false, code: 'CLOSED', maybeApplied: false }),
  ]);
  expect(closed.after).toMatchObject({ ok: false, code: 'CLOSED' });
  expect(closed.stats).toMatchObject({ pending: 0, timers: 0, queued: 0 });
}

export function closeScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: close()`, () => {
    afterEach(cleanup);

    it(`host.close() ${t.sideSocket ? 'removes the side-socket directory it offered, and ' : ''}makes its clients' calls fail instead of hanging`, async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const driver = new Driver(forkClient(t, 'driver', { connect: { timeout: 1000 } }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
      const { offers } = await driver.stats();
      const directories = offers.map((path) => dirname(path));
      if (t.sideSocket) {
        expect(offers.length).toBeGreaterThan(0);
        for (const path of offers) expect(existsSync(path)).toBe(true);
        expect(host.stats().sideSockets).toBe(1);
      } else {
        expect(offers).toEqual([]);
      }
      await host.close();
      for (const directory of directories) expect(existsSync(directory)).toBe(false);
      expect(host.stats()).toMatchObject({ links: 0, clients: 0, sideSockets: 0 });
      // The host said goodbye (and closed the side socket): calls fail at once, not by
      // timeout, on every carrier.
      const after = await driver.call('get', 'n');
      expect(after).toMatchObject({ ok: false, code: 'CONNECTION_LOST' });
      const { stats } = await driver.stats();
      expect(stats[0]).toMatchObject({ pending: 0, timers: 0 });
      // The transport can be served again in this process.
      const again = serveHere(mod);
      await again.close();
    });

    it('host.attach() returns detach(): after it the child is served no more, neither on its channel nor on its side socket', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const driver = new Driver(forkClient(t, 'driver', { connect: { timeout: 1000 } }));
      const detach = host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
      detach();
      await until(() => host.stats().clients === 0, 'the host to drop the client');
      expect(host.stats()).toMatchObject({ links: 0, sideSockets: 0 });
      const after = await driver.call('increment', 'n');
      expect(after).toMatchObject({ ok: false, code: 'CONNECTION_LOST', maybeApplied: false });
      expect(host.stats().data.entries).toBe(1);
      expect(host.stats().calls).toBe(1);
    });

    if (t.sideSocket) {
      it('host.attach() returns detach(): side-socket offers the channel had not used yet are withdrawn with it', async () => {
        const mod = await load(t);
        const host = serveHere(mod);
        const raw = new Driver(forkClient(t, 'raw'));
        const detach = host.attach(raw.proc.child!);
        await raw.proc.waitFor('ready');
        const used = (await raw.command('socket-offer')).offer as { k: string };
        const late = (await raw.command('socket-offer')).offer as { k: string };
        expect([used.k, late.k]).toEqual(['socket!', 'socket!']);
        // While attached, an offer works: the host answers over the side socket.
        expect(await raw.command('socket-hello', { offer: used, from: 'before' })).toMatchObject({
          served: true,
        });
        detach();
        // After detach, the other offer must not let the channel back in.
        expect(await raw.command('socket-hello', { offer: late, from: 'after' })).toMatchObject({
          served: false,
        });
        expect(host.stats()).toMatchObject({ links: 0, clients: 0, sideSockets: 0 });
      });
    }

    if (t.sideSocket) {
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
        it(`a holder ended by ${signal} removes its side-socket directory on the way out`, async () => {
          const tmp = mkdtempSync(join(tmpdir(), 'sw-signal-'));
          try {
            const holder = await holderWithTmpdir(t, tmp);
            expect(socketDirectories(tmp)).toHaveLength(1);
            holder.child?.kill(signal);
            // Removing the directory does not swallow the signal: the process still ends by it.
            expect(await holder.exited).toMatchObject({ signal });
            expect(socketDirectories(tmp)).toEqual([]);
          } finally {
            rmSync(tmp, { recursive: true, force: true });
          }
        });
      }

      it("a SIGKILLed holder's directory, which it cannot remove, is removed by the next host", async () => {
        const tmp = mkdtempSync(join(tmpdir(), 'sw-signal-'));
        try {
          const first = await holderWithTmpdir(t, tmp);
          const [left] = socketDirectories(tmp);
          first.child?.kill('SIGKILL');
          await first.exited;
          expect(socketDirectories(tmp)).toEqual([left]);
          const second = await holderWithTmpdir(t, tmp);
          await until(() => !socketDirectories(tmp).includes(left as string), 'the sweep');
          // The live host's own directory stays.
          expect(socketDirectories(tmp)).toHaveLength(1);
          second.child?.kill('SIGTERM');
          await second.exited;
          expect(socketDirectories(tmp)).toEqual([]);
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      });
    }

    it('store.close() in a fork child rejects pending calls CLOSED, is idempotent and lets the child exit on its own; host.close() then lets the holder exit on its own', async () => {
      const holder = spawnFixture(
        t,
        'holder.mjs',
        'holder',
        { closeWhenChildExits: true },
        { SW_CHILD_ROLE: 'close-exit' },
      );
      const connected = await holder.waitFor('connected');
      expect(connected.counted).toMatchObject({ ok: true, value: 1 });
      const offers = connected.offers as string[];
      expect(offers.length > 0).toBe(t.sideSocket);
      expectClosed(await holder.waitFor('closed'));
      expect(await holder.waitFor('child-exit')).toMatchObject({ code: 0, signal: null });
      expect((await holder.waitFor('host-closed')).stats).toMatchObject({ links: 0, clients: 0 });
      expect(await holder.exited).toEqual({ code: 0, signal: null });
      await waitForExit(connected.pid);
      for (const path of offers) expect(existsSync(dirname(path))).toBe(false);
      expect(holder.log.crashes()).toEqual([]);
    });

    it('store.close() in a worker thread rejects pending calls CLOSED and lets the thread exit on its own', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const thread = startThread(t, 'close-exit');
      host.attach(thread.worker!);
      expect((await thread.waitFor('connected')).counted).toMatchObject({ ok: true, value: 1 });
      expectClosed(await thread.waitFor('closed'));
      expect((await thread.exited).code).toBe(0);
      await until(() => host.stats().links === 0, 'the host to drop the thread');
    });
  });
}
