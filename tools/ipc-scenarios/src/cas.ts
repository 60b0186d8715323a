// Compare-and-set across real processes (issue 15): fork() children and worker threads run
// compare-and-set increment loops on one key against a real host, and a new holder process
// never honours a version from the one before it.
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  forkClient,
  load,
  localStore,
  type Outcome,
  type Proc,
  type Report,
  serveHere,
  spawnFixture,
  startThread,
  type TransportUnderTest,
} from './support.js';

/** fixtures/holder.mjs serving one fork child in the `cas-restart` role; exits after it. */
function startRestartHolder(t: TransportUnderTest, childOptions: object): Proc {
  return spawnFixture(
    t,
    'holder.mjs',
    'holder',
    { closeWhenChildExits: true },
    { SW_CHILD_ROLE: 'cas-restart', SW_CHILD_OPTIONS: JSON.stringify(childOptions) },
  );
}

/**
 * Compare-and-set with real processes on transport `t`: loops of compare-and-set increments
 * (by `set` with `ifVersion` and by atomic commits) from fork() children and worker threads on
 * one key lose no update, and versions do not survive a restart of the holder.
 */
export function casScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: compare-and-set across processes`, () => {
    afterEach(cleanup);

    it('set() with ifVersion and atomic() commits from fork() children and worker threads on one key lose no update: it ends at the number that applied', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const attempts = 300;
      const clients: Proc[] = [
        forkClient(t, 'cas-increments', { attempts, via: 'set' }),
        forkClient(t, 'cas-increments', { attempts, via: 'atomic' }),
        startThread(t, 'cas-increments', { attempts, via: 'set' }),
        startThread(t, 'cas-increments', { attempts, via: 'atomic' }),
      ];
      for (const client of clients) host.attach((client.child ?? client.worker)!);
      const reports: Report[] = await Promise.all(clients.map((client) => client.waitFor('done')));
      for (const r of reports) {
        expect(
          r.errors,
          `calls of a ${r.thread ? 'thread' : 'child'} via ${r.via} that neither applied nor conflicted`,
        ).toEqual([]);
        expect((r.applied as number) + (r.conflicts as number)).toBe(attempts);
      }
      const applied = reports.reduce((sum, r) => sum + (r.applied as number), 0);
      expect(applied, 'compare-and-sets that applied').toBeGreaterThan(0);
      expect(await localStore(mod, host).get('counter')).toBe(applied);
      for (const client of clients) expect((await client.exited).code).toBe(0);
      expect(host.stats().malformedIn).toBe(0);
    });

    it('a new holder process hands out none of the versions of the one before it, and refuses every one of them', async () => {
      const first = startRestartHolder(t, { writes: 50 });
      const before = await first.waitFor('done');
      expect(await first.exited, 'the first holder exits once its child is done').toEqual({
        code: 0,
        signal: null,
      });
      const old = before.versions as string[];
      expect(new Set(old).size, 'versions of one holder').toBe(old.length);

      const second = startRestartHolder(t, { writes: 50, stale: old });
      const after = await second.waitFor('done');
      const renewed = after.versions as string[];
      expect(
        renewed.filter((version) => old.includes(version)),
        'versions handed out again',
      ).toEqual([]);
      const refused = after.refused as Outcome[];
      expect(refused).toHaveLength(3 * old.length);
      for (const [i, o] of refused.entries()) {
        const what = `${['set()', 'delete()', 'atomic()'][i % 3]} with version ${old[Math.floor(i / 3)]}`;
        if (i % 3 === 2)
          expect(o, what).toMatchObject({ ok: true, value: { ok: false, failed: ['restart'] } });
        else expect(o, what).toMatchObject({ ok: false, code: 'CONFLICT', maybeApplied: false });
      }
      expect(after.after, 'the key after every refused write').toEqual({
        value: 49,
        version: renewed.at(-1),
      });
      expect((await second.exited).code).toBe(0);
    });
  });
}
