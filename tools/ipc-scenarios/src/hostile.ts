// RELIABILITY B (foreign, malformed and hostile messages) with real processes. Raw peers
// (the `raw` role, fixtures/roles/raw.mjs) speak frames by hand; a ManualHost (support.ts) plays a
// host that forges replies or speaks another protocol version.
import { createServer } from 'node:net';
import { FRAME_TAG, PROTOCOL_VERSION } from '@statewire/core/transport';
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
  onCleanup,
  type Proc,
  type SeenFrame,
  serveHere,
  spawnFixture,
  type TransportUnderTest,
  until,
} from './support.js';

const V = PROTOCOL_VERSION;

/** A listening server on an ephemeral port, to pass as a handle; closed after the test. */
async function handleToPass() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** A raw peer attached to `host`, with the frames it has received. */
async function rawPeer(t: TransportUnderTest, attach: (proc: Proc) => void) {
  const driver = new Driver(forkClient(t, 'raw'));
  attach(driver.proc);
  await driver.proc.waitFor('ready');
  return {
    driver,
    /** Sends frames given as JSON text (own "__proto__" keys stay data; see fixtures/lib.mjs). */
    send: (frames: string[], wrapped = false) => driver.command('send', { frames, wrapped }),
    sendMessages: (messages: unknown[]) => driver.command('send-messages', { messages }),
    hello: async (from: string, hello: object = {}) =>
      (await driver.command('hello', { from, hello })).frame as SeenFrame | null,
    frames: async () => (await driver.command('frames')).frames as SeenFrame[],
  };
}

/** Replies a raw peer received, by call id. */
function repliesById(frames: SeenFrame[]): Map<unknown, unknown[]> {
  const replies = new Map<unknown, unknown[]>();
  for (const frame of frames)
    if (frame.k === 'res') for (const reply of frame.r as unknown[][]) replies.set(reply[0], reply);
  return replies;
}

export function hostileScenarios(t: TransportUnderTest): void {
  describe(`${t.name}: RELIABILITY B, foreign, malformed and hostile messages`, () => {
    afterEach(cleanup);

    it('foreign traffic from a child (strings, arrays, null, numbers, { id }, reply-shaped objects, a passed handle) is ignored and counted by the host', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const driver = new Driver(forkClient(t, 'driver'));
      host.attach(driver.proc.child!);
      // The handle the child passes arrives here too; close it.
      driver.proc.child?.on('message', (_message: unknown, handle: unknown) => {
        (handle as { close?: () => void } | undefined)?.close?.();
      });
      await driver.proc.waitFor('ready');
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
      const before = host.stats();
      await driver.command('foreign');
      await until(() => host.stats().foreignIn - before.foreignIn >= 14, 'the foreign messages');
      expect(await driver.call('increment', 'n')).toMatchObject({ ok: true, value: 2 });
      const after = host.stats();
      // 13 messages and 1 with a handle; nothing answered, nothing counted as malformed.
      expect(after.foreignIn - before.foreignIn).toBe(14);
      expect(after.malformedIn).toBe(before.malformedIn);
      expect(after.errors).toBe(before.errors);
      expect(after.calls - before.calls).toBe(1);
    });

    it('foreign traffic to a client (strings, arrays, null, numbers, { id }, untagged replies, replies to others, a passed handle) never settles a pending call', async () => {
      const proc = forkClient(t, 'driver', { connect: { timeout: 60_000 } });
      const manual = new ManualHost(proc.child!, await loadFrames(t));
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      await driver.command('call', { method: 'has', args: ['k'], hold: true });
      await manual.waitFor((frames) => frames.some((f) => f.k === 'req'), 'the request');
      const [client] = manual.clients();
      const [id] = manual.calls(client as string)[0] as [number];
      const {
        stats: [before],
      } = await driver.stats();
      const foreign: unknown[] = [
        'a string',
        '',
        42,
        0,
        null,
        true,
        [],
        [id, 0, true],
        { id },
        { id, ok: true, result: true },
        { k: 'res', to: client, r: [[id, 0, true]] },
        { __statewire_: V, k: 'res', to: client, r: [[id, 0, true]] },
        { [FRAME_TAG]: V, k: 'res', to: 'another-client', r: [[id, 0, true]] },
        { cmd: 'NODE_X', to: client, r: [[id, 0, true]] },
      ];
      for (const message of foreign) manual.sendRaw(message);
      manual.sendRaw({ k: 'res', to: client, r: [[id, 0, true]] }, await handleToPass());
      // Tagged for this client, but not a reply to anything.
      for (const r of [[['1', 0, true]], [[id]], [[id, 2, true]], [[null, 0, true]], 'nope'])
        manual.send({ [FRAME_TAG]: V, k: 'res', to: client, r });
      const {
        stats: [during],
      } = await driver.stats();
      expect((await driver.command('settled')).outcomes).toEqual({ '1': null });
      expect(during?.pending).toBe(1);
      expect((during?.foreignIn as number) - (before?.foreignIn as number)).toBeGreaterThanOrEqual(
        foreign.length,
      );
      // The real reply settles it.
      manual.send({ [FRAME_TAG]: V, k: 'res', to: client, r: [[id, 0, true]] });
      const outcome = await eventually(
        async () => ((await driver.command('settled')).outcomes as Record<string, Outcome>)['1'],
        (o) => o !== null,
        'the real reply',
      );
      expect(outcome).toMatchObject({ ok: true, value: true });
    });

    it("envelope (B12): a key and a value shaped like Node's own messages travel encoded; no frame has a cmd field or user data in it", async () => {
      const proc = forkClient(t, 'driver', { connect: { timeout: 60_000 } });
      const manual = new ManualHost(proc.child!, await loadFrames(t));
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      const value = { cmd: 'NODE_CLUSTER', act: 'online', __statewire: V, k: 'res' };
      await driver.command('call', { method: 'set', args: ['cmd', value], hold: true });
      await driver.command('call', { method: 'get', args: ['NODE_HANDLE'], hold: true });
      await manual.waitFor(
        (frames) =>
          frames.filter((f) => f.k === 'req').flatMap((f) => f.c as unknown[]).length === 2,
        'both calls',
      );
      for (const frame of manual.frames) {
        expect(frame).not.toHaveProperty('cmd');
        const unexpected = Object.keys(frame).filter(
          (k) =>
            ![
              '__statewire',
              'k',
              'from',
              'c',
              'codec',
              'namespace',
              'maxKeyBytes',
              'maxValueBytes',
              'maxBatchKeys',
              'maxReplyBytes',
              // The side-socket request says which frame layouts this client reads.
              'frames',
            ].includes(k),
        );
        expect(unexpected).toEqual([]);
      }
      const [set] = manual.calls(manual.clients()[0] as string);
      // The value is one opaque encoded argument, not spread into the envelope.
      expect(set?.slice(0, 3).concat(typeof set?.[3])).toEqual([
        1,
        1,
        'cmd',
        t.codec === 'msgpack' ? 'object' : 'string',
      ]);
      expect(set?.[3] instanceof Uint8Array || typeof set?.[3] === 'string').toBe(true);
    });

    it('malformed requests (B13): odd or missing ids, unknown ops, ops named after Object.prototype members, bad arguments, extra fields, __proto__ keys are answered with an error or dropped; the host neither crashes nor gets polluted', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const local = localStore(mod, host);
      const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
      expect((await raw.hello('evil'))?.k).toBe('welcome');
      const req = (c: unknown) => JSON.stringify({ [FRAME_TAG]: V, k: 'req', from: 'evil', c });
      const frames = [
        // Not a list of calls: dropped.
        req('nope'),
        req(null),
        req({ length: 1, 0: [1, 0, 'k'] }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'req', from: 'evil' }),
        // Calls that are not calls, odd and missing ids: dropped.
        req(['x', null, 5, {}, []]),
        req([
          [null, 0, 'k'],
          ['7', 0, 'k'],
          [1.5, 0, 'k'],
          [1e300, 0, 'k'],
          [2 ** 53, 0, 'k'],
          [{}, 0, 'k'],
        ]),
        // Unknown ops, ops named like Object.prototype members or given by name: errors.
        req([
          [10, 99, 'k'],
          [11, 'constructor', 'k'],
          [12, '__proto__', 'k'],
          [13, 'toString', 'k'],
          [14, 'get', 'k'],
          [15, -1, 'k'],
          [16, 1.5, 'k'],
          [17, null, 'k'],
          [18, [0], 'k'],
          [19, 'hasOwnProperty', 'k'],
          [20, 'valueOf'],
          [21],
        ]),
        // Known ops with arguments of the wrong kind: errors with specific codes.
        req([
          [30, 0, 42],
          [31, 1, 'k', 42, 0],
          [32, 1, 'k', { $enc: 1 }, -5],
          [33, 4, 7],
          [34, 6, 'not-a-list'],
          [35, 7, 'x'],
          [36, 7, [['k']]],
          [37, 9, 'n', 'one'],
          [38, 0],
          [39, 6, [1, 2]],
        ]),
        // Extra fields, prototype-named keys as data: answered normally, nothing polluted.
        '{"__statewire":1,"k":"req","from":"evil","cmd":"not-node","extra":[1],"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"c":[[40,1,"__proto__",{"$enc":{"polluted":1}},0,"extra",{"x":1}],[41,0,"__proto__"],[42,7,[["constructor",{"$enc":1},0]]],[43,0,"constructor",{"__proto__":{"polluted":1}}]]}',
        // Huge and negative ids are ids.
        req([
          [Number.MAX_SAFE_INTEGER, 0, 'k'],
          [-1, 0, 'k'],
          [0, 0, 'k'],
        ]),
        // Unknown kinds, bad senders, a sender that never said hello: dropped.
        JSON.stringify({ [FRAME_TAG]: V, k: 'res', to: 'evil', r: [[1, 0, true]] }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'constructor', from: 'evil' }),
        JSON.stringify({ [FRAME_TAG]: V, k: '__proto__', from: 'evil' }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'req', c: [[50, 0, 'k']] }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'req', from: 42, c: [[51, 0, 'k']] }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'req', from: 'x'.repeat(1000), c: [[52, 0, 'k']] }),
        JSON.stringify({ [FRAME_TAG]: V, k: 'req', from: 'stranger', c: [[53, 0, 'k']] }),
      ];
      const before = host.stats();
      // As plain objects on the channel (what every host reads), and packed too where the
      // transport packs frames.
      await raw.send(frames);
      if (t.packsFrames) {
        await raw.send(frames, true);
        await raw.sendMessages([
          { [FRAME_TAG]: V, k: 'packed', d: '!!not base64 or msgpack!!' },
          { [FRAME_TAG]: V, k: 'packed', d: 12 },
          { [FRAME_TAG]: V, k: 'packed' },
        ]);
      }
      // A last, valid call: its reply comes after every other.
      await raw.send([req([[99, 3, 'k']])]);
      const received = await eventually(raw.frames, (f) => repliesById(f).has(99), 'replies');
      const replies = repliesById(received);
      const code = (id: number) => {
        const reply = replies.get(id);
        return reply?.[1] === 0 ? 'ok' : reply?.[2];
      };
      for (const id of [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21])
        expect(code(id)).toBe('PROTOCOL');
      // Every bad argument gets its own code: never BACKEND (an internal error of the host).
      for (const id of [30, 31, 32, 33, 34, 35, 36, 37, 38, 39]) {
        expect(code(id)).toMatch(/^(PROTOCOL|INVALID_KEY|INVALID_VALUE|TOO_LARGE)$/);
      }
      expect(code(30)).toBe('INVALID_KEY');
      expect(code(37)).toBe('INVALID_VALUE');
      for (const id of [40, 41, 42, 43, Number.MAX_SAFE_INTEGER, -1, 0, 99])
        expect(code(id)).toBe('ok');
      for (const id of [1, 1.5, '7', 1e300, 2 ** 53, 50, 51, 52, 53])
        expect(replies.has(id)).toBe(false);
      expect(received.filter((f) => f.k === 'res').every((f) => f.to === 'evil')).toBe(true);
      const after = host.stats();
      expect(after.malformedIn).toBeGreaterThan(before.malformedIn);
      expect(after.errors - before.errors).toBeGreaterThanOrEqual(22);
      // Nothing reached Object.prototype, here or in the raw peer.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect((await raw.driver.command('polluted')).polluted).toBeUndefined();
      // The prototype-named keys are ordinary keys, and the host serves on.
      expect(await local.get('__proto__')).toEqual({ polluted: 1 });
      expect(await local.get('constructor')).toBe(1);
      expect(await local.increment('still-serving')).toBe(1);
    });

    it("forged client id (B14): frames a child sends in another client's name (requests, replies, bye) neither read nor answer for that client", async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const wrapping = await loadFrames(t);
      // sideSocket: false so that the victim's hello (with its client id) shows on the channel.
      const victim = new Driver(forkClient(t, 'driver', { connect: { sideSocket: false } }));
      let victimId: string | undefined;
      victim.proc.child?.on('message', (message: unknown) => {
        const frame = wrapping.fromMessage(message) as SeenFrame;
        if (frame?.k === 'hello') victimId = frame.from as string;
      });
      host.attach(victim.proc.child!);
      await victim.proc.waitFor('ready');
      expect(await victim.call('set', 'secret', 'mine')).toMatchObject({ ok: true });
      await until(() => victimId !== undefined, "the victim's hello");
      const id = victimId as string;
      const {
        stats: [before],
      } = await victim.stats();
      const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
      const frame = (extra: object) => JSON.stringify({ [FRAME_TAG]: V, from: id, ...extra });
      // Without a hello on its own channel: nothing is applied, nothing answered anywhere.
      await raw.send(
        [
          frame({
            k: 'req',
            c: [
              [1, 1, 'secret', { $enc: 'evil' }, 0],
              [2, 0, 'secret'],
            ],
          }),
          JSON.stringify({ [FRAME_TAG]: V, k: 'res', to: id, r: [[1, 0, null]] }),
          frame({ k: 'bye' }),
        ],
        true,
      );
      // With a hello under the victim's id: a session of the raw peer's own, on its channel.
      expect((await raw.hello(id))?.k).toBe('welcome');
      await raw.send([frame({ k: 'req', c: [[3, 0, 'secret']] })], true);
      const received = await eventually(raw.frames, (f) => repliesById(f).has(3), 'the reply');
      expect([...repliesById(received).keys()]).toEqual([3]);
      // The victim saw none of it, still works, and its secret was never overwritten.
      expect(await victim.call('get', 'secret')).toMatchObject({ ok: true, value: 'mine' });
      const {
        stats: [after],
      } = await victim.stats();
      expect((after?.framesIn as number) - (before?.framesIn as number)).toBe(1);
      expect(after?.pending).toBe(0);
    });

    it('spoofed and duplicate reply ids (B14): a reply to one client, a duplicate, or an id of another client cannot settle another call', async () => {
      const proc = forkClient(t, 'driver', { stores: 2, connect: { timeout: 60_000 } });
      const manual = new ManualHost(proc.child!, await loadFrames(t));
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      // Both stores number their calls from 1: the ids collide on purpose.
      const a1 = (
        await driver.command('call', { store: 0, method: 'has', args: ['a'], hold: true })
      ).id;
      const b1 = (
        await driver.command('call', { store: 1, method: 'has', args: ['a'], hold: true })
      ).id;
      const b2 = (
        await driver.command('call', { store: 1, method: 'has', args: ['b'], hold: true })
      ).id;
      await manual.waitFor(
        (frames) =>
          frames.filter((f) => f.k === 'req').flatMap((f) => f.c as unknown[]).length === 3,
        'the three calls',
      );
      const clients = manual.clients();
      const a = clients.find((c) => manual.calls(c).length === 1) as string;
      const b = clients.find((c) => manual.calls(c).length === 2) as string;
      expect(manual.calls(a).map((c) => c[0])).toEqual([1]);
      expect(manual.calls(b).map((c) => c[0])).toEqual([1, 2]);
      const res = (to: string, r: unknown[]) => manual.send({ [FRAME_TAG]: V, k: 'res', to, r });
      const settled = async () =>
        (await driver.command('settled')).outcomes as Record<string, Outcome | null>;
      res(a, [[1, 0, true]]);
      res(a, [[1, 0, false]]); // duplicate
      res(a, [[2, 0, true]]); // b's id, sent to a
      res('nobody', [
        [1, 0, true],
        [2, 0, true],
      ]);
      manual.sendRaw({
        k: 'res',
        to: b,
        r: [
          [1, 0, true],
          [2, 0, true],
        ],
      }); // untagged
      res(b, [[1, 7, true], ['2', 0, true], [2]]);
      let outcomes = await eventually(settled, (o) => o[String(a1)] !== null, 'the first reply');
      expect(outcomes).toEqual({
        [String(a1)]: expect.objectContaining({ ok: true, value: true }),
        [String(b1)]: null,
        [String(b2)]: null,
      });
      res(b, [
        [2, 0, true],
        [1, 0, false],
      ]);
      res(b, [[1, 0, true]]); // duplicate
      outcomes = await eventually(
        settled,
        (o) => o[String(b1)] !== null && o[String(b2)] !== null,
        'the replies to b',
      );
      expect(outcomes).toEqual({
        [String(a1)]: expect.objectContaining({ ok: true, value: true }),
        [String(b1)]: expect.objectContaining({ ok: true, value: false }),
        [String(b2)]: expect.objectContaining({ ok: true, value: true }),
      });
      const { stats } = await driver.stats();
      expect(stats.map((s) => s.pending)).toEqual([0, 0]);
    });

    it('protocol version mismatch (B15), client side newer: a v2 hello, another codec, other limits are refused with PROTOCOL at the handshake', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
      const v2 = await raw.hello('from-the-future', { [FRAME_TAG]: 2 });
      expect(v2).toMatchObject({ [FRAME_TAG]: V, k: 'refuse', to: 'from-the-future' });
      const codec = await raw.hello('other-codec', {
        codec: t.codec === 'msgpack' ? 'json' : 'msgpack',
      });
      expect(codec).toMatchObject({ k: 'refuse', to: 'other-codec' });
      const limits = await raw.hello('other-limits', { maxValueBytes: 1234 });
      expect(limits).toMatchObject({ k: 'refuse', to: 'other-limits' });
      // A real client with other limits fails its first call with PROTOCOL, not a timeout.
      const driver = new Driver(forkClient(t, 'driver', { connect: { maxValueBytes: 1234 } }));
      host.attach(driver.proc.child!);
      await driver.proc.waitFor('ready');
      expect(await driver.call('get', 'k')).toMatchObject({ ok: false, code: 'PROTOCOL' });
      expect(host.stats().clients).toBe(0);
    });

    it('protocol version mismatch (B15), host side newer: a host answering with protocol v2 makes the client reject PROTOCOL, not time out', async () => {
      const proc = forkClient(t, 'driver', {
        connect: { handshakeTimeout: 30_000, timeout: 30_000, negotiationTimeout: 500 },
      });
      // A future host would not understand our side-socket request either: it stays silent.
      new ManualHost(proc.child!, await loadFrames(t), { version: 2, answerSockets: false });
      const driver = new Driver(proc);
      await proc.waitFor('ready');
      expect(await driver.call('set', 'k', 1)).toMatchObject({
        ok: false,
        code: 'PROTOCOL',
        stateError: true,
      });
      expect(await driver.call('get', 'k')).toMatchObject({ ok: false, code: 'PROTOCOL' });
      const { stats } = await driver.stats();
      expect(stats[0]).toMatchObject({ pending: 0, timers: 0, timeouts: 0 });
    });

    it('hello flood (B16): a child saying hello as 1000 different clients gets maxClientsPerChannel (64) sessions, the rest are refused', async () => {
      const mod = await load(t);
      const host = serveHere(mod);
      const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
      const flood = await raw.driver.command('hello-flood', { n: 1000 });
      expect(flood).toMatchObject({ welcomes: 64, refusals: 936 });
      expect(host.stats().clients).toBe(64);
      expect(await localStore(mod, host).increment('still-serving')).toBe(1);
    });

    if (t.sideSocket) {
      it('side-socket requests (B16): a child flooding socket requests gets a bounded number of offers, the rest declined; other children still get their side socket', async () => {
        const mod = await load(t);
        const host = serveHere(mod);
        const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
        const flood = await raw.driver.command('offer-flood', { n: 5000 });
        // Every request is answered, but offers (a token and a timer each, for 30 s) are
        // capped per channel: a flood cannot grow the host without bound.
        expect((flood.offers as number) + (flood.declines as number)).toBe(5000);
        expect(flood.offers as number).toBeLessThanOrEqual(256);
        expect(flood.offers as number).toBeGreaterThan(0);
        // The attacks a side socket can meet: a wrong token, no token, a 4 GB frame, garbage.
        for (const attack of ['wrong-token', 'oversize-header', 'garbage']) {
          const { result } = await raw.driver.command('socket-attack', { attack });
          expect({ attack, result }).toEqual({
            attack,
            result: { offered: false, answer: 'socket-no' },
          });
        }
        const other = new Driver(forkClient(t, 'driver'));
        host.attach(other.proc.child!);
        await other.proc.waitFor('ready');
        expect(await other.call('increment', 'n')).toMatchObject({ ok: true, value: 1 });
        expect(host.stats().sideSockets).toBe(1);
      });

      it('side-socket attacks (B16): a wrong token, a frame announcing 4 GB, or garbage end only that connection', async () => {
        const mod = await load(t);
        const host = serveHere(mod);
        const local = localStore(mod, host);
        const raw = await rawPeer(t, (proc) => host.attach(proc.child!));
        for (const attack of ['wrong-token', 'oversize-header', 'garbage']) {
          const { result } = await raw.driver.command('socket-attack', { attack });
          expect({ attack, result }).toEqual({
            attack,
            result: { offered: true, closedByHost: true },
          });
        }
        expect(host.stats().sideSockets).toBe(0);
        expect(await local.increment('still-serving')).toBe(1);
      });
    }

    it("flooding worker (B16): a million raw requests at once, a frame of too many calls, a 70 MB value and 50k API calls are bounded per client; the other workers' calls all succeed", async () => {
      const primary = spawnFixture(t, 'primary.mjs', 'primary', { plan: 'flood' });
      const flooded = await primary.waitFor('flooded', { timeout: 240_000 });
      const done = await primary.waitFor('flood-done');
      const summary = done.summary as {
        api: unknown;
        hello: unknown;
        raw: { codes: unknown; huge: unknown[] };
        refused: unknown;
        helloAgain: unknown;
        socketOversize?: unknown;
        socketGarbage?: unknown;
      };
      // The client bounds itself: maxPending (16384) calls go out, the rest fail at once.
      expect(summary.api).toEqual({ ok: 16_384, OVERLOADED: 50_000 - 16_384, other: 0 });
      expect(summary.hello).toBe('welcome');
      // The host bounds each frame: a frame of more than maxCallsPerFrame calls is refused
      // as a whole, with one refusal and a counter, not one error per call (issue 12 item 8).
      expect(summary.refused).toEqual({ k: 'refuse', code: 'PROTOCOL' });
      expect(summary.helloAgain).toBe('welcome');
      expect(summary.raw.codes).toEqual({ ok: 250 * 4000, TOO_LARGE: 1 });
      expect((flooded.stats as Record<string, number>).refusedFrames).toBe(1);
      expect(summary.raw.huge[2]).toBe('TOO_LARGE');
      if (t.sideSocket) {
        // A frame announcing 4 GB is refused before it is buffered; garbage ends the socket.
        expect(summary.socketOversize).toEqual({ offered: true, closedByHost: true });
        expect(summary.socketGarbage).toEqual({ offered: true, closedByHost: true });
      }
      for (const report of primary.log.list.filter((r) => r.event === 'summary')) {
        expect(report).toMatchObject({ errors: 0, mismatches: 0 });
        expect(report.rounds as number).toBeGreaterThanOrEqual(1);
      }
      expect(primary.log.list.filter((r) => r.event === 'summary')).toHaveLength(2);
      expect((flooded.stats as Record<string, number>).clients).toBe(5);
      await primary.waitFor('closed');
      expect(await primary.exited).toEqual({ code: 0, signal: null });
      expect(primary.log.crashes()).toEqual([]);
      // The heaviest test: millions of messages through three processes on two cores.
    }, 300_000);
  });
}
