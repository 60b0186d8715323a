// host.attach() of child_process.fork() children and worker_threads Workers, with the host
// in the test process. connect() in them takes its default channel (process / parentPort).
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  forkClient,
  load,
  localStore,
  serveHere,
  sleep,
  startThread,
  type TransportUnderTest,
  until,
} from './support.js';

export function forkAndThreadScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: fork() children and worker threads`, () => {
    afterEach(cleanup);

    it('host.attach(child) and host.attach(worker): a fork() child and a worker thread connect() over process / parentPort by default and share one counter', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const child = forkClient(t, 'increments', { n: 500 });
      const detach = host.attach(child.child!);
      // Attaching the same channel twice is a no-op.
      expect(host.attach(child.child!)).toBe(detach);
      const thread = startThread(t, 'increments', { n: 500 });
      host.attach(thread.worker!);
      const [forked, threaded] = await Promise.all([child.waitFor('done'), thread.waitFor('done')]);
      expect(forked.tally).toMatchObject({ total: 500, ok: 500 });
      expect(threaded.tally).toMatchObject({ total: 500, ok: 500 });
      expect(await localStore(mod, host).get('hits')).toBe(1000);
      // Both closed their store and must then exit on their own.
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect((await thread.exited).code).toBe(0);
      await until(() => host.stats().clients === 1, 'the host to forget both clients');
      expect(host.stats().malformedIn).toBe(0);
      // One host per transport per process; after close() the transport can be served again.
      expect(() => mod.serve({ cluster: false })).toThrow(/already/);
      await host.close();
      expect(() => host.attach(child.child!)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
      await serveHere(mod).close();
    });

    it('host.attach() ~200 ms after the child and the thread called connect(): the retried hello still connects them', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const child = forkClient(t, 'increments', { n: 50 });
      const thread = startThread(t, 'increments', { n: 50 });
      // Both have sent their first hello (and side-socket request) to nobody.
      await Promise.all([child.waitFor('connecting'), thread.waitFor('connecting')]);
      await sleep(200);
      host.attach(child.child!);
      host.attach(thread.worker!);
      const [forked, threaded] = await Promise.all([child.waitFor('done'), thread.waitFor('done')]);
      expect(forked.tally).toMatchObject({ total: 50, ok: 50 });
      expect(threaded.tally).toMatchObject({ total: 50, ok: 50 });
      expect(await localStore(mod, host).get('hits')).toBe(100);
    });

    const sibling = t.sibling;
    if (sibling) {
      it(`serve() of both transports in one process: a child with an ${t.name} store and an ${sibling.name} store on the same channel is served by each host, once`, async () => {
        const [mod, other] = await Promise.all([load(t), load(sibling)]);
        const host = serveHere(mod);
        const otherHost = serveHere(other);
        const child = forkClient(t, 'both-transports', { siblingEntry: sibling.entry });
        host.attach(child.child!);
        otherHost.attach(child.child!);
        const done = await child.waitFor('done');
        // Each host applied each increment once, to its own data.
        expect(done.results).toEqual([
          { max: 100, distinct: 100 },
          { max: 100, distinct: 100 },
        ]);
        for (const h of [host, otherHost]) {
          expect(h.stats()).toMatchObject({ malformedIn: 0, errors: 0, calls: 100 });
          expect(h.stats().data.entries).toBe(1);
        }
        expect(host.stats().sideSockets + otherHost.stats().sideSockets).toBe(
          (t.sideSocket ? 1 : 0) + (sibling.sideSocket ? 1 : 0),
        );
        expect(await child.exited).toEqual({ code: 0, signal: null });
      });
    }
  });
}
