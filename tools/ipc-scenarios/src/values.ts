// Values across a real process boundary (RELIABILITY D as it applies to the IPC codecs),
// with the host in the test process and clients in fork children and worker threads.
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  Driver,
  forkClient,
  load,
  type Proc,
  serveHere,
  startThread,
  type TransportUnderTest,
} from './support.js';

const MiB = 1024 * 1024;

export function valueScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: values across the process boundary`, () => {
    afterEach(cleanup);

    it(`set() of values the ${t.codec === 'msgpack' ? 'msgpack' : 'JSON'} codec would change rejects INVALID_VALUE before anything is sent`, async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const proc = forkClient(t, 'invalid-values', { after: 'hold' });
      host.attach(proc.child!);
      const warm = await proc.waitFor('warm');
      const framesAtWarm = host.stats().framesIn;
      proc.send({ fx: 'go' });
      const done = await proc.waitFor('done');
      const results = done.results as Record<string, string[]>;
      const expected =
        t.codec === 'msgpack'
          ? ['-0', 'lone-surrogate', 'lone-surrogate-key', 'own-__proto__-key', 'cyclic']
          : ['buffer', 'date', 'map', 'nan', '-0', 'bigint', 'infinity', 'undefined-field'];
      for (const name of expected) expect(Object.keys(results)).toContain(name);
      for (const [name, codes] of Object.entries(results)) {
        // set, setIfAbsent and setMany alike.
        expect({ name, codes }).toEqual({
          name,
          codes: ['INVALID_VALUE', 'INVALID_VALUE', 'INVALID_VALUE'],
        });
      }
      // Not one frame left the client for them: the valid call after them is the next frame.
      const warmStats = warm.stats as Record<string, number>;
      expect((done.beforeValid as Record<string, number>).framesOut).toBe(warmStats.framesOut);
      expect(done.valid).toMatchObject({ ok: true, value: '<undefined>' });
      expect(host.stats().framesIn).toBe(framesAtWarm + 1);
      expect(host.stats().data.entries).toBe(0);
    });

    it(`values written in one process read back exactly, types included, in a fork child and in a worker thread (${t.codec === 'msgpack' ? 'Buffer, typed arrays, Date, Map, Set, BigInt' : 'strict JSON'}, envelope-shaped data)`, async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const writer = forkClient(t, 'values-write');
      host.attach(writer.child!);
      expect((await writer.waitFor('done')).failed).toEqual([]);
      const readers = [forkClient(t, 'values-read'), startThread(t, 'values-read')];
      for (const reader of readers) {
        if (reader.child) host.attach(reader.child);
        else host.attach(reader.worker!);
      }
      for (const reader of readers) {
        const read = await reader.waitFor('done');
        expect(read.mismatches).toEqual([]);
        expect(read.singleMismatches).toEqual([]);
        expect(read.missing).toBe(0);
      }
    });

    const carriers = t.sideSocket
      ? [
          { name: 'over the side socket', connect: {}, sideSockets: 1 },
          { name: 'over the IPC fallback', connect: { sideSocket: false }, sideSockets: 0 },
        ]
      : [{ name: 'over the IPC channel', connect: {}, sideSockets: 0 }];

    for (const size of [MiB, 16 * MiB]) {
      const what = size === MiB ? 'a random 1 MiB' : 'a 16 MiB';
      it(`${what} ${t.codec === 'msgpack' ? 'Buffer' : 'value (base64 text)'} round-trips byte-exact between two processes, ${carriers.map((c) => c.name).join(' and ')}`, async () => {
        const mod = await load(t);
        const host = serveHere(mod);
        for (const carrier of carriers) {
          const options = {
            size,
            key: `blob:${carrier.name}`,
            connect: carrier.connect,
            after: 'hold',
          };
          const writer = forkClient(t, 'blob-write', options);
          host.attach(writer.child!);
          const written = await writer.waitFor('done');
          expect(written.result).toMatchObject({ ok: true });
          expect({ carrier: carrier.name, sideSockets: host.stats().sideSockets }).toEqual({
            carrier: carrier.name,
            sideSockets: carrier.sideSockets,
          });
          const reader = forkClient(t, 'blob-read', options);
          host.attach(reader.child!);
          const read = await reader.waitFor('done');
          expect(read.sha).toBe(written.sha);
          expect(read.isBuffer).toBe(t.codec === 'msgpack');
          await exit(writer, reader);
        }
      });
    }

    it('a value or key over the limit rejects TOO_LARGE before it is sent; just under the limit works', async () => {
      const mod = await load(t);
      const host = serveHere(mod, { maxValueBytes: MiB });
      const driver = new Driver(forkClient(t, 'driver', { connect: { maxValueBytes: MiB } }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('get', 'warm')).toMatchObject({ ok: true });
      const {
        stats: [before],
      } = await driver.stats();
      const framesBefore = host.stats().framesIn;
      const tooBig = { $repeat: ['x', MiB] };
      expect(await driver.call('set', 'big', tooBig)).toMatchObject({
        ok: false,
        code: 'TOO_LARGE',
      });
      expect(await driver.call('setIfAbsent', 'big', tooBig)).toMatchObject({
        ok: false,
        code: 'TOO_LARGE',
      });
      expect(await driver.call('setMany', [{ key: 'big', value: tooBig }])).toMatchObject({
        ok: false,
        code: 'TOO_LARGE',
      });
      expect(await driver.call('get', 'k'.repeat(1025))).toMatchObject({
        ok: false,
        code: 'TOO_LARGE',
      });
      const {
        stats: [after],
      } = await driver.stats();
      expect(after?.framesOut).toBe(before?.framesOut);
      expect(host.stats().framesIn).toBe(framesBefore);
      expect(await driver.call('set', 'fits', { $repeat: ['x', MiB - 16] })).toMatchObject({
        ok: true,
      });
      expect(host.stats().data.entries).toBe(1);
    });
  });
}

async function exit(...procs: Proc[]): Promise<void> {
  for (const proc of procs) proc.send({ fx: 'exit' });
  await Promise.all(procs.map((proc) => proc.exited));
}
