// Issue 12, items 9 to 12 and 14 with real processes and threads: frames whose shape is
// refused before it is walked, the reply limit, limits derived from one another, sessions
// that end however a store leaves, one listener per channel, and goodbyes that arrive.
import type { Host } from '@statewire/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  Driver,
  forkClient,
  load,
  localStore,
  type Report,
  serveHere,
  sleep,
  startThread,
  type Tally,
  type TransportModule,
  type TransportUnderTest,
  until,
} from './support.js';

const MiB = 1024 * 1024;

export function limitScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: issue 12, limits and sessions`, () => {
    afterEach(cleanup);

    it('item 9: a worker thread posting a request frame with a sparse call list of length 10⁹ is refused at once; another thread is served all along', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const worker = startThread(t, 'driver');
      host.attach(worker.worker!);
      const driver = new Driver(worker);
      await worker.waitFor('ready');
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
      const hostile = startThread(t, 'sparse-frame');
      host.attach(hostile.worker!);
      await hostile.waitFor('posted');
      // Were the host walking the holes, this process (the host) would be blocked for
      // minutes and these calls could not be answered.
      for (let i = 2; i <= 5; i++)
        expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: i });
      const done = await hostile.waitFor('done');
      expect(done.answers).toEqual(['welcome', 'refuse']);
      expect(host.stats()).toMatchObject({ refusedFrames: 1 });
      expect(host.stats().data.entries).toBe(1);
    });

    it('item 10: getMany of one 1 MiB value 600 times rejects TOO_LARGE (no maybeApplied) and the store keeps working', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const driver = new Driver(forkClient(t, 'driver'));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('set', 'big', { $repeat: ['x', MiB] })).toMatchObject({ ok: true });
      const many = await driver.call('getMany', { $fill: ['big', 600] });
      expect(many).toMatchObject({ ok: false, code: 'TOO_LARGE', hasMaybeApplied: false });
      expect(await driver.call('has', 'big')).toMatchObject({ ok: true, value: true });
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
      expect(host.stats()).toMatchObject({
        links: t.sideSocket ? 2 : 1,
        clients: 1,
        unsendableReplies: 0,
      });
    });

    it('B16: a child that never reads its replies on the IPC channel is answered only up to maxReplyBytes of waiting replies; another child is served all along', async () => {
      const mod = await load(t);
      const limits = { maxValueBytes: 256 * 1024, maxReplyBytes: 2 * MiB };
      const host = serveHere(mod, limits);
      const driver = new Driver(forkClient(t, 'driver', { connect: limits }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      const valueBytes = 128 * 1024;
      const flooder = forkClient(t, 'never-reads', { connect: limits, valueBytes, floodMs: 3000 });
      host.attach(flooder.child!);
      await flooder.waitFor('flooding', { timeout: 60_000 });
      for (let i = 1; i <= 10; i++) {
        expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: i });
      }
      const done = await flooder.waitFor('done', { timeout: 120_000 });
      const { sent, answered } = done as unknown as { sent: number; answered: number };
      // Hundreds of requests of 128 KiB each; what was answered fits in the 2 MiB the host
      // lets wait on the channel, plus what the channel itself holds before it reports
      // congestion (Node's and the kernel's buffers, well under 2 MiB).
      expect(sent).toBeGreaterThan(100);
      expect(answered).toBeGreaterThan(0);
      expect(answered * valueBytes).toBeLessThan(6 * MiB);
      expect(host.stats().droppedIn).toBe(sent - answered);
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 11 });
    });

    it('item 10: keys() of a namespace over maxReplyBytes rejects TOO_LARGE; the limit is in capabilities on both sides', async () => {
      const mod = await load(t);
      const host = serveHere(mod, { maxReplyBytes: 64 * 1024 });
      const driver = new Driver(forkClient(t, 'driver', { connect: { maxReplyBytes: 64 * 1024 } }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      // ~88 KB of keys (8 bytes each on average) against a 64 KiB limit.
      const entries = Array.from({ length: 10_000 }, (_, i) => ({ key: `key:${i}`, value: i }));
      expect(await driver.call('setMany', entries)).toMatchObject({ ok: true });
      expect(await driver.call('keys')).toMatchObject({ ok: false, code: 'TOO_LARGE' });
      expect(await driver.call('keys', 'key:9999')).toMatchObject({
        ok: true,
        value: ['key:9999'],
      });
      // A client that does not know the host's limit is told at once.
      const other = new Driver(forkClient(t, 'driver'));
      host.attach(other.proc.child!);
      await other.proc.waitFor('ready');
      expect(await other.call('get', 'k')).toMatchObject({ ok: false, code: 'PROTOCOL' });
    });

    it('item 11: getMany of 66,000 keys of 1,020 bytes (within maxBatchKeys and maxKeyBytes) is served, and the connection stays', async () => {
      const mod = await load(t);
      // A small value limit made the host's frame limit too small for a legal batch.
      const host = serveHere(mod, { maxValueBytes: 1024 });
      const driver = new Driver(
        forkClient(t, 'driver', { connect: { maxValueBytes: 1024, timeout: 100_000 } }),
      );
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('set', 'k', 1)).toMatchObject({ ok: true });
      const keys = { $fill: ['k'.repeat(1020), 66_000] };
      const many = await driver.call('getMany', keys);
      expect(many.ok, JSON.stringify(many).slice(0, 300)).toBe(true);
      expect((many.value as unknown[]).length).toBe(66_000);
      expect(await driver.call('get', 'k')).toMatchObject({ ok: true, value: 1 });
      // One key over the batch limit is refused before it is sent.
      const over = await driver.call('getMany', { $fill: ['k', 100_001] });
      expect(over).toMatchObject({ ok: false, code: 'TOO_LARGE' });
      expect(await driver.call('get', 'k')).toMatchObject({ ok: true, value: 1 });
      expect(host.stats().sideSockets).toBe(t.sideSocket ? 1 : 0);
    }, 120_000);

    it('item 12: 100 stores closed before their welcome leave no session; a new store on the channel is served', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const proc = forkClient(t, 'close-early', { n: 100, connect: { sideSocket: false } });
      host.attach(proc.child!);
      const done = await proc.waitFor('done');
      expect(done.result).toMatchObject({ ok: true, value: 1 });
      await until(() => host.stats().clients === 1, 'the early-closed sessions to end');
      proc.send({ fx: 'exit' });
    });

    it('item 12: 65 stores on process: no MaxListenersExceededWarning, the 65th is refused OVERLOADED and served once another store closes', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const stores = 65;
      const driver = new Driver(
        forkClient(t, 'driver', { stores, connect: { sideSocket: false } }),
      );
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      // One store at a time, so that the 65th to say hello is the last one.
      for (let i = 0; i < stores - 1; i++)
        expect(await driver.callOn(i, 'increment', 'n')).toMatchObject({ ok: true });
      const refused = await driver.callOn(stores - 1, 'set', 'k', 1);
      expect(refused).toMatchObject({ ok: false, code: 'OVERLOADED', maybeApplied: false });
      await driver.command('close', { store: 0 });
      await until(() => host.stats().clients === stores - 2, 'the closed store to leave');
      expect(await driver.callOn(stores - 1, 'set', 'k', 1)).toMatchObject({ ok: true });
      const { warnings } = (await driver.command('stats')) as Report & { warnings: string[] };
      expect(warnings).toEqual([]);
    });

    it('item 12: the stores of one child count together toward maxClientsPerChannel, over side sockets too; the next is refused OVERLOADED and served once another closes', async () => {
      const mod = await load(t);
      const host = serveHere(mod, { maxClientsPerChannel: 3 });
      const stores = 5;
      const driver = new Driver(forkClient(t, 'driver', { stores }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      // Every store says hello as it is made: which three win is a race.
      const served: number[] = [];
      const refused: number[] = [];
      for (let i = 0; i < stores; i++) {
        const result = await driver.callOn(i, 'increment', 'n');
        if (result.ok) served.push(i);
        else {
          expect(result).toMatchObject({ code: 'OVERLOADED', maybeApplied: false });
          refused.push(i);
        }
      }
      expect(served).toHaveLength(3);
      expect(host.stats().clients).toBe(3);
      // A store uses one socket: the channel never has more than its most stores.
      if (t.sideSocket) expect(host.stats().sideSockets).toBeLessThanOrEqual(3);
      else expect(host.stats().sideSockets).toBe(0);
      await driver.command('close', { store: served[0] });
      await until(() => host.stats().clients === 2, 'the closed store to leave');
      expect(await driver.callOn(refused[0] as number, 'increment', 'n')).toMatchObject({
        ok: true,
        value: 4,
      });
      expect(host.stats().clients).toBe(3);
    });

    it("item 14: host.attach()'s detach says goodbye on every carrier of the channel (its side sockets too): writes it never read reject CONNECTION_LOST with maybeApplied false, and none is applied", async () => {
      const { mod, host } = await unreadBurstEndedBy(t, (_, detach) => detach());
      // Nothing the channel sent after the detach was applied, however long it is kept open.
      await sleep(500);
      expect(await localStore(mod, host).get('n')).toBe(1);
      await until(() => host.stats().sideSockets === 0, 'the side socket to close');
      expect(host.stats().clients).toBe(1);
    });

    it('item 14: host.close() says goodbye before closing any carrier: writes it never read reject CONNECTION_LOST with maybeApplied false', async () => {
      await unreadBurstEndedBy(t, (host) => host.close());
    });
  });
}

/**
 * A child's 100 writes, sent while this process (the host) is too busy to read them, then
 * `end` stops serving the channel: every write rejects `CONNECTION_LOST` with
 * `maybeApplied: false` (the host's goodbye arrived before its carriers closed).
 */
async function unreadBurstEndedBy(
  t: TransportUnderTest,
  end: (host: Host, detach: () => void) => unknown,
): Promise<{ mod: TransportModule; host: Host }> {
  const mod = await load(t);
  const host = serveHere(mod);
  const driver = new Driver(forkClient(t, 'driver', { connect: { timeout: 60_000 } }));
  const detach = host.attach(driver.proc.child!);
  await driver.proc.waitFor('ready');
  expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
  if (t.sideSocket) expect(host.stats().sideSockets).toBe(1);
  const id = 1_000_000;
  driver.proc.send({ fx: 'burst', id, method: 'increment', args: ['n'], n: 100 });
  const busyUntil = Date.now() + 1500;
  while (Date.now() < busyUntil);
  await end(host, detach);
  const result = await driver.proc.waitFor((r) => r.event === 'result' && r.id === id);
  const tally = result.tally as Tally;
  expect(tally.total).toBe(100);
  expect(tally.CONNECTION_LOST).toBe(100);
  expect(tally.maybeApplied).toEqual({ true: 0, false: 100, absent: 0 });
  return { mod, host };
}
