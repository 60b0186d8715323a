import { afterEach, describe, expect, it } from 'vitest';
import { createLoopbackPair, type LoopbackLink } from '../src/testing.js';
import { ClientEngine, FRAME_TAG, type Link, Op, PROTOCOL_VERSION } from '../src/transport.js';
import { caught, clientOptions, congestible, settle, until } from './helpers.js';

// The client engine's flush policy (issue 13): a lone call leaves at once, calls issued
// while others are in flight share a frame. Frames are counted on the link, never timed.

type Frame = Record<string, unknown>;
type Call = [id: number, op: number, ...args: unknown[]];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const get = { timeout: 10_000, signal: undefined };

/** The id of the first call of the `index`th recorded frame. */
function firstId(frames: Call[][], index: number): number {
  const call = frames[index]?.[0];
  if (!call) throw new Error(`no frame ${index} was sent`);
  return call[0];
}

/**
 * A client engine whose host is the test: it welcomes the client; the calls of each request
 * frame are recorded as the client hands the frame to its link (`frames`), and
 * `reply(ids)` answers those calls in one frame.
 */
async function engineWithManualHost(wrap: (link: LoopbackLink) => Link = (link) => link) {
  const pair = createLoopbackPair();
  const frames: Call[][] = [];
  const host = pair.host;
  host.open({
    message(message) {
      const frame = message as Frame;
      if (frame.k === 'hello') {
        host.send({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'welcome', to: frame.from });
      }
    },
    close() {},
    drain() {},
  });
  const inner = wrap(pair.client);
  const recorder: Link = {
    label: inner.label,
    open: (handlers) => inner.open(handlers),
    close: () => inner.close(),
    send(frame) {
      const sent = frame as Frame;
      if (sent.k === 'req') frames.push(sent.c as Call[]);
      return inner.send(frame);
    },
  };
  const engine = new ClientEngine(clientOptions(recorder));
  cleanups.push(() => engine.close());
  // The first call waits for the welcome; once it is sent, the engine is ready.
  const first = engine.execute(Op.get, ['warm'], get);
  await until(() => frames.length === 1);
  const reply = (ids: number[]) =>
    host.send({
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: 'res',
      to: engine.id,
      r: ids.map((id) => [id, 0, null]),
    });
  reply([firstId(frames, 0)]);
  await first;
  frames.length = 0;
  return { engine, frames, reply, pair };
}

describe('ClientEngine flush policy', () => {
  it('a lone call is sent at once, in the same turn, and still settles asynchronously', async () => {
    const { engine, frames, reply } = await engineWithManualHost();
    let settled = false;
    const call = engine.execute(Op.get, ['a'], get).then(() => {
      settled = true;
    });
    expect(frames).toHaveLength(1);
    expect(settled).toBe(false);
    reply([firstId(frames, 0)]);
    await call;
    expect(settled).toBe(true);
  });

  it('a burst from idle: the first call alone, the rest of the turn in one frame', async () => {
    const { engine, frames, reply } = await engineWithManualHost();
    const calls = Array.from({ length: 100 }, (_, i) => engine.execute(Op.get, [`k${i}`], get));
    expect(frames.map((frame) => frame.length)).toEqual([1]);
    await settle(1);
    expect(frames.map((frame) => frame.length)).toEqual([1, 99]);
    reply(frames.flat().map((call) => call[0]));
    await Promise.all(calls);
    // Order is kept across the two frames.
    expect(frames.flat().map((call) => call[2])).toEqual(
      Array.from({ length: 100 }, (_, i) => `k${i}`),
    );
  });

  it('calls issued while one is in flight wait for the next flush and share a frame', async () => {
    const { engine, frames, reply } = await engineWithManualHost();
    const lone = engine.execute(Op.get, ['lone'], get);
    await settle(2);
    expect(frames).toHaveLength(1);
    const later = Array.from({ length: 10 }, (_, i) => engine.execute(Op.get, [`k${i}`], get));
    expect(frames).toHaveLength(1);
    await settle(1);
    expect(frames.map((frame) => frame.length)).toEqual([1, 10]);
    reply(frames.flat().map((call) => call[0]));
    await Promise.all([lone, ...later]);
  });

  it('a reply to one call lets the call issued from its continuation leave at once', async () => {
    const { engine, frames, reply } = await engineWithManualHost();
    let next: Promise<unknown> | undefined;
    const first = engine.execute(Op.get, ['a'], get).then(() => {
      next = engine.execute(Op.get, ['b'], get);
      // Sent synchronously: nothing else was in flight.
      expect(frames).toHaveLength(2);
    });
    reply([firstId(frames, 0)]);
    await first;
    reply([firstId(frames, 1)]);
    await next;
  });

  it('the calls issued from the continuations of a reply to many calls share one frame', async () => {
    const { engine, frames, reply } = await engineWithManualHost();
    const followUps: Promise<unknown>[] = [];
    const firsts = Array.from({ length: 8 }, (_, i) =>
      engine.execute(Op.get, [`a${i}`], get).then(() => {
        followUps.push(engine.execute(Op.get, [`b${i}`], get));
      }),
    );
    await settle(1);
    expect(frames.map((frame) => frame.length)).toEqual([1, 7]);
    const sent = frames.length;
    reply(frames.flat().map((call) => call[0]));
    await Promise.all(firsts);
    expect(followUps).toHaveLength(8);
    await settle(1);
    expect(frames.slice(sent).map((frame) => frame.length)).toEqual([8]);
    reply(
      frames
        .slice(sent)
        .flat()
        .map((call) => call[0]),
    );
    await Promise.all(followUps);
  });

  it('a congested link sends nothing at once; the call waits for drain', async () => {
    let control: ReturnType<typeof congestible> | undefined;
    const { engine, frames, reply } = await engineWithManualHost((link) => {
      const wrapped = congestible(link);
      control = wrapped;
      return wrapped.link;
    });
    const c = control as ReturnType<typeof congestible>;
    c.congest(true);
    const first = engine.execute(Op.get, ['a'], get);
    // The link took it but said it is full: the next call must wait for drain.
    await settle(2);
    expect(frames).toHaveLength(1);
    const second = engine.execute(Op.get, ['b'], get);
    await settle(2);
    expect(frames).toHaveLength(1);
    expect(engine.stats().queued).toBe(1);
    reply([firstId(frames, 0)]);
    await first;
    // Nothing in flight now, but the link is still congested: still waiting.
    const third = engine.execute(Op.get, ['c'], get);
    await settle(2);
    expect(frames).toHaveLength(1);
    c.congest(false);
    await settle(2);
    expect(frames.map((frame) => frame.map((call) => call[2]))).toEqual([['a'], ['b', 'c']]);
    reply(frames[1]?.map((call) => call[0]) ?? []);
    await Promise.all([second, third]);
  });

  it('a lone call that cannot be carried rejects TOO_LARGE later, never throws', async () => {
    let throwing = false;
    const { engine } = await engineWithManualHost((link) => ({
      label: link.label,
      open: (handlers) => link.open(handlers),
      close: () => link.close(),
      send(frame) {
        if (throwing) throw new RangeError('too large to serialize');
        return link.send(frame);
      },
    }));
    throwing = true;
    let settled = false;
    const call = engine.execute(Op.set, ['k', '"v"', 0], get);
    call.then(
      () => {},
      () => {
        settled = true;
      },
    );
    expect(settled).toBe(false);
    const error = await caught(call);
    expect(error).toMatchObject({ code: 'TOO_LARGE', maybeApplied: false });
  });
});
