import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonCodec, type Store } from '../src/index.js';
import {
  createLoopbackPair,
  type LoopbackHostOptions,
  type LoopbackLink,
  serveLoopback,
} from '../src/testing.js';
import {
  type ClientEngine,
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defaultMaxReplyBytes,
  FRAME_TAG,
  HostEngine,
  type HostEngineOptions,
  type Link,
  MemoryBackend,
  Op,
  PROTOCOL_VERSION,
} from '../src/transport.js';
import { congestible, rejectsWith, settle, storeOver, until } from './helpers.js';

type Frame = Record<string, unknown>;

const cleanups: (() => unknown)[] = [];
const engines: ClientEngine[] = [];

afterEach(async () => {
  // After every scenario: nothing pending, no timer armed, on every client.
  const leftovers = engines.splice(0).map((engine) => engine.stats());
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const stats of leftovers) expect(stats).toMatchObject({ pending: 0, timers: 0 });
});

function loopbackHost(options: LoopbackHostOptions = {}) {
  const host = serveLoopback(options);
  cleanups.push(() => host.close());
  return {
    host,
    connect<S extends object = Record<string, unknown>>(namespace?: string) {
      const store = host.connect<S>(namespace === undefined ? {} : { namespace });
      engines.push(store.engine);
      cleanups.push(() => store.close());
      return store;
    },
  };
}

/** A host engine over its own backend, to attach links to by hand. */
function hostEngine(options: Partial<HostEngineOptions> = {}) {
  const backend = new MemoryBackend({ codec: jsonCodec });
  const engine = new HostEngine({ backend, codec: jsonCodec, ...options });
  cleanups.push(() => {
    engine.close();
    backend.close();
  });
  return engine;
}

/** A store over a client engine on `link` (see helpers), registered for the idle check. */
function clientStore(link: Link, extra: Parameters<typeof storeOver>[1] = {}, timeout?: number) {
  const store = storeOver(link, extra, timeout);
  engines.push(store.engine);
  cleanups.push(() => store.close());
  return store;
}

/** The client end of a fresh pair attached to `engine`, driven frame by frame by the test. */
function rawClient(engine: HostEngine) {
  const pair = createLoopbackPair();
  engine.attach(pair.host);
  const received: Frame[] = [];
  pair.client.open({
    message: (message) => received.push(message as Frame),
    close() {},
    drain() {},
  });
  cleanups.push(() => pair.disconnect());
  return {
    pair,
    received,
    send(frame: object) {
      pair.client.send(frame);
    },
    async take(): Promise<Frame[]> {
      await settle();
      return received.splice(0);
    },
  };
}

function hello(from: string, extra: Frame = {}): Frame {
  return {
    [FRAME_TAG]: PROTOCOL_VERSION,
    k: 'hello',
    from,
    codec: 'json',
    namespace: '',
    maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
    maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
    maxBatchKeys: DEFAULT_MAX_BATCH_KEYS,
    maxReplyBytes: defaultMaxReplyBytes(DEFAULT_MAX_VALUE_BYTES),
    ...extra,
  };
}

function req(from: string, calls: unknown, extra: Frame = {}): Frame {
  return { [FRAME_TAG]: PROTOCOL_VERSION, k: 'req', from, c: calls, ...extra };
}

/** Wraps a link, recording every frame it sends. */
function recording(inner: LoopbackLink): { link: Link; frames: Frame[] } {
  const frames: Frame[] = [];
  return {
    frames,
    link: {
      label: inner.label,
      open: (handlers) => inner.open(handlers),
      send(frame) {
        frames.push(structuredClone(frame) as Frame);
        return inner.send(frame);
      },
      close: () => inner.close(),
    },
  };
}

/** Messages other code may put on the same channel. */
const FOREIGN: unknown[] = [
  'hello',
  '',
  'NODE_CLUSTER',
  [],
  [1, 0, '"forged"'],
  null,
  undefined,
  0,
  42,
  true,
  {},
  { cmd: 'NODE_CLUSTER', act: 'online' },
  { cmd: 'NODE_HANDLE', msg: { cmd: 'NODE_HANDLE_ACK' } },
  { id: 1 },
  { id: 1, result: '"forged"' },
  { type: 'response', id: 2, data: '"forged"' },
];

/** Reply-shaped messages to client `to` that lack a proper tag. */
function untaggedReplies(to: string): unknown[] {
  const r = Array.from({ length: 20 }, (_, i) => [i, 0, '"forged"']);
  return [
    { k: 'res', to, r },
    { __statewire_: 1, k: 'res', to, r },
    { '__statewire ': 1, k: 'res', to, r },
    { __STATEWIRE: 1, k: 'res', to, r },
    // The tag must be an own property.
    Object.assign(Object.create({ [FRAME_TAG]: PROTOCOL_VERSION }), { k: 'res', to, r }),
    Object.assign([], { [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r }),
  ];
}

describe('ClientEngine and HostEngine: calls', () => {
  it('set() and get() go through both engines and the host counts the client', async () => {
    const { host, connect } = loopbackHost();
    const store = connect<{ n: number; s: { a: string[] } }>();
    await store.set('n', 1);
    await store.set('s', { a: ['x'] });
    expect(await store.get('n')).toBe(1);
    expect(await store.get('s')).toEqual({ a: ['x'] });
    expect(await store.increment('n', 2)).toBe(3);
    expect(await store.getMany(['n', 's'])).toEqual([3, { a: ['x'] }]);
    expect(host.engine.stats()).toMatchObject({ links: 1, clients: 1, errors: 0 });
  });

  it('same-tick calls coalesce into one frame each way', async () => {
    const { host, connect } = loopbackHost();
    const store = connect();
    await store.set('warm', 0);
    const clientBefore = store.engine.stats();
    const hostBefore = host.engine.stats();
    const calls = Array.from({ length: 500 }, (_, i) => store.set(`k${i}`, i));
    await Promise.all(calls);
    const clientAfter = store.engine.stats();
    const hostAfter = host.engine.stats();
    expect(clientAfter.framesOut - clientBefore.framesOut).toBeLessThanOrEqual(2);
    expect(hostAfter.framesIn - hostBefore.framesIn).toBeLessThanOrEqual(2);
    expect(hostAfter.framesOut - hostBefore.framesOut).toBeLessThanOrEqual(2);
    expect(hostAfter.calls - hostBefore.calls).toBe(500);
    expect(await store.get('k499')).toBe(499);
  });

  it('calls issued from continuations in the same turn join the same frame', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    await store.set('warm', 0);
    const before = store.engine.stats().framesOut;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => Promise.resolve().then(() => store.get(`k${i}`))),
    );
    // The first call found nothing in flight and left alone; the 49 after it, one frame.
    expect(store.engine.stats().framesOut - before).toBe(2);
  });

  it("the client never puts more calls in a frame than the host's maxCallsPerFrame", async () => {
    const { host, connect } = loopbackHost({ host: { maxCallsPerFrame: 100 } });
    const store = connect();
    await store.set('warm', 0);
    const before = store.engine.stats().framesOut;
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.set(`k${i}`, i)));
    expect(store.engine.stats().framesOut - before).toBeGreaterThanOrEqual(5);
    expect(host.engine.stats().errors).toBe(0);
  });

  it('frameBudgetBytes splits a batch of large values into several frames', async () => {
    const { connect } = loopbackHost({ client: { frameBudgetBytes: 1000 } });
    const store = connect();
    await store.set('warm', 0);
    const before = store.engine.stats().framesOut;
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`k${i}`, 'x'.repeat(600))));
    expect(store.engine.stats().framesOut - before).toBeGreaterThanOrEqual(5);
    expect(await store.get('k9')).toBe('x'.repeat(600));
  });

  it('calls from one client apply in the order issued, even without awaiting', async () => {
    const { connect } = loopbackHost();
    const store = connect<{ k: number }>();
    const writes = [store.set('k', 1), store.set('k', 2), store.delete('k'), store.set('k', 3)];
    const read = store.get('k');
    await Promise.all(writes);
    expect(await read).toBe(3);
    expect(await store.get('k')).toBe(3);
  });

  it('calls apply in the order issued across frames', async () => {
    const { connect } = loopbackHost({ host: { maxCallsPerFrame: 2 } });
    const store = connect();
    await store.set('warm', 0);
    const ops = [];
    for (let i = 0; i < 20; i++) ops.push(store.set('k', i), store.increment('n'));
    ops.push(store.delete('k'), store.set('k', 'last'));
    await Promise.all(ops);
    expect(await store.get('k')).toBe('last');
    expect(await store.get('n')).toBe(20);
  });

  it('remote errors keep their code across the wire', async () => {
    const { connect } = loopbackHost({ maxBytes: 200 });
    const store = connect();
    await store.set('s', 'text');
    await rejectsWith(store.increment('s'), 'WRONG_TYPE');
    await rejectsWith(store.set('big', 'x'.repeat(500)), 'TOO_LARGE');
    await store.set('max', Number.MAX_SAFE_INTEGER);
    await rejectsWith(store.increment('max'), 'INVALID_VALUE');
    expect(await store.get('s')).toBe('text');
  });

  it('two stores on one host stay in their namespaces', async () => {
    const { connect } = loopbackHost();
    const a = connect('a');
    const a2 = connect('a:');
    await a.set(':b', 1);
    await a2.set('b', 2);
    expect(await a.get(':b')).toBe(1);
    expect(await a2.get('b')).toBe(2);
    expect(await a.keys()).toEqual([':b']);
    await a.clear();
    expect(await a2.keys()).toEqual(['b']);
  });

  it('frames carry the tag, never a cmd field, and never user data as envelope fields', async () => {
    const pair = createLoopbackPair();
    const hostSide = recording(pair.host);
    hostEngine().attach(hostSide.link);
    const clientSide = recording(pair.client);
    const store = clientStore(clientSide.link);
    await store.set('cmd', { cmd: 'NODE_CLUSTER', k: 'res', to: 'x', [FRAME_TAG]: 2 });
    expect(await store.get('cmd')).toEqual({
      cmd: 'NODE_CLUSTER',
      k: 'res',
      to: 'x',
      [FRAME_TAG]: 2,
    });
    const frames = [...clientSide.frames, ...hostSide.frames];
    expect(frames.length).toBeGreaterThanOrEqual(4);
    const allowed = new Set([
      FRAME_TAG,
      'k',
      'from',
      'to',
      'c',
      'r',
      'codec',
      'namespace',
      'maxKeyBytes',
      'maxValueBytes',
      'maxBatchKeys',
      'maxReplyBytes',
      'maxCallsPerFrame',
      'ops',
      'message',
      'code',
    ]);
    for (const frame of frames) {
      expect(frame[FRAME_TAG]).toBe(PROTOCOL_VERSION);
      expect(Object.hasOwn(frame, 'cmd')).toBe(false);
      for (const field of Object.keys(frame)) expect(allowed.has(field)).toBe(true);
    }
  });
});

describe('ClientEngine and HostEngine: foreign and forged messages', () => {
  it('foreign messages to the client are ignored, counted, and settle nothing', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    await store.set('k', 'genuine');
    store.pair.host.stall(true);
    const pending = store.get('k');
    await settle();
    const before = store.engine.stats();
    const messages = [...FOREIGN, ...untaggedReplies(store.engine.id)];
    for (const message of messages) store.pair.host.inject(message);
    await settle();
    const after = store.engine.stats();
    expect(after.foreignIn - before.foreignIn).toBe(messages.length);
    expect(after.framesIn).toBe(before.framesIn);
    expect(after.pending).toBe(1);
    store.pair.host.stall(false);
    expect(await pending).toBe('genuine');
  });

  it('foreign messages to the host are ignored, counted and never answered', async () => {
    const { host, connect } = loopbackHost();
    const store = connect();
    await store.set('k', 'genuine');
    const before = host.engine.stats();
    const forgedRequest = { k: 'req', from: store.engine.id, c: [[99, 1, 'k', '"forged"', 0]] };
    const messages = [...FOREIGN, forgedRequest, { ...forgedRequest, __statewire_: 1 }];
    for (const message of messages) store.pair.client.inject(message);
    await settle();
    const after = host.engine.stats();
    expect(after.foreignIn - before.foreignIn).toBe(messages.length);
    expect(after.framesOut).toBe(before.framesOut);
    expect(after.calls).toBe(before.calls);
    expect(await store.get('k')).toBe('genuine');
  });

  it('a forged reply with a wrong or duplicate call id cannot resolve another call', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    // Call 1 settles here; the next call is call 2.
    await store.set('k', 'genuine');
    store.pair.host.stall(true);
    const pending = store.get('k');
    await settle();
    const to = store.engine.id;
    const forged = [
      [1, 0, '"duplicate"'],
      [1, 1, 'CLOSED', 'dup'],
      [3, 0, '"wrong"'],
    ];
    for (const id of [0, -1, 999, 2 ** 31, 1.5]) forged.push([id, 0, '"wrong"']);
    store.pair.host.inject({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r: forged });
    await settle();
    expect(store.engine.stats().pending).toBe(1);
    store.pair.host.stall(false);
    expect(await pending).toBe('genuine');
  });

  it('a reply addressed to another client id is ignored', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    const other = connect();
    await store.set('k', 'genuine');
    await other.set('k2', 'other');
    store.pair.host.stall(true);
    const pending = store.get('k');
    await settle();
    const before = store.engine.stats().foreignIn;
    const r = Array.from({ length: 10 }, (_, i) => [i, 0, '"forged"']);
    for (const to of [other.engine.id, `${store.engine.id} `, '', undefined, 42]) {
      store.pair.host.inject({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to, r });
    }
    await settle();
    expect(store.engine.stats().foreignIn - before).toBe(5);
    expect(store.engine.stats().pending).toBe(1);
    store.pair.host.stall(false);
    expect(await pending).toBe('genuine');
  });

  it('malformed tagged frames to the client settle nothing', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    await store.set('k', 'genuine');
    store.pair.host.stall(true);
    const pending = store.get('k');
    await settle();
    const to = store.engine.id;
    const tag = { [FRAME_TAG]: PROTOCOL_VERSION, to };
    for (const frame of [
      { ...tag },
      { ...tag, k: 'req', c: [[2, 0, '"forged"']] },
      { ...tag, k: 'hello' },
      { ...tag, k: 'constructor' },
      { ...tag, k: 'res' },
      { ...tag, k: 'res', r: 'x' },
      { ...tag, k: 'res', r: { 0: [2, 0, '"forged"'], length: 1 } },
      { ...tag, k: 'res', r: [null, 'x', [], ['2', 0, '"forged"'], [2, 2, '"forged"']] },
      { ...tag, k: 'welcome', maxCallsPerFrame: 1 },
    ]) {
      store.pair.host.inject(frame);
    }
    await settle();
    expect(store.engine.stats().pending).toBe(1);
    store.pair.host.stall(false);
    expect(await pending).toBe('genuine');
    // The late welcome changed nothing: a batch still goes out in one frame (after the
    // first call, which found nothing in flight and left alone).
    const before = store.engine.stats().framesOut;
    await Promise.all([store.get('a'), store.get('b'), store.get('c')]);
    expect(store.engine.stats().framesOut - before).toBe(2);
  });

  it('frame fields that cannot become text never crash the client', async () => {
    const unprintable = { toString: 1 };
    const { connect } = loopbackHost();

    const a = connect();
    await a.set('k', 1);
    a.pair.host.stall(true);
    const pending = a.get('k');
    await settle();
    a.pair.host.inject({
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: 'res',
      to: a.engine.id,
      r: [[2, 1, 'BACKEND', unprintable]],
    });
    await rejectsWith(pending, 'BACKEND');
    a.pair.host.stall(false);

    const b = connect();
    await b.set('k', 1);
    const refused = b.get('k', { timeout: 20_000 });
    b.pair.host.stall(true);
    b.pair.host.inject({
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: 'refuse',
      to: b.engine.id,
      message: unprintable,
    });
    await rejectsWith(refused, 'PROTOCOL');

    const c = connect();
    await c.set('k', 1);
    c.pair.host.stall(true);
    const versioned = c.get('k', { timeout: 20_000 });
    c.pair.host.inject({ [FRAME_TAG]: unprintable, k: 'res', to: c.engine.id, r: [] });
    await rejectsWith(versioned, 'PROTOCOL');
  });
});

describe('ClientEngine and HostEngine: handshake', () => {
  it('a host frame of another protocol version fails the client with PROTOCOL, not a timeout', async () => {
    const pair = createLoopbackPair();
    const store = clientStore(pair.client, { handshakeTimeout: 20_000 }, 20_000);
    const pending = store.get('k');
    pair.host.inject({ [FRAME_TAG]: 2, k: 'welcome', to: store.engine.id, maxCallsPerFrame: 9 });
    const error = await rejectsWith(pending, 'PROTOCOL');
    expect(error.message).toContain('v2');
    // Sticky: later calls fail the same way at once, without a new handshake.
    await rejectsWith(store.set('k', 1), 'PROTOCOL');
  });

  it('a reply of another protocol version after the handshake fails the client with PROTOCOL', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    await store.set('k', 1);
    store.pair.host.stall(true);
    const write = store.set('k', 2, { timeout: 20_000 });
    await settle();
    store.pair.host.inject({ [FRAME_TAG]: 2, k: 'res', to: store.engine.id, r: [] });
    const error = await rejectsWith(write, 'PROTOCOL');
    expect(error.maybeApplied).toBe(true);
    await rejectsWith(store.get('k'), 'PROTOCOL');
  });

  it.each([
    ['version 2', 2],
    ['version 0', 0],
    ['the string "1"', '1'],
    ['null', null],
    ['an unprintable object', { toString: 1 }],
  ])('the host refuses a hello of %s', async (_name, version) => {
    const raw = rawClient(hostEngine());
    raw.send({ ...hello('raw'), [FRAME_TAG]: version });
    const [refuse, ...rest] = await raw.take();
    expect(rest).toEqual([]);
    expect(refuse).toMatchObject({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'refuse', to: 'raw' });
    expect(refuse?.message).toContain(`v${PROTOCOL_VERSION}`);
  });

  it('a client of another protocol version fails with PROTOCOL, not a timeout', async () => {
    const pair = createLoopbackPair();
    hostEngine().attach(pair.host);
    const future: Link = {
      label: 'future client',
      open: (handlers) => pair.client.open(handlers),
      send: (frame) => pair.client.send({ ...frame, [FRAME_TAG]: 2 }),
      close: () => pair.client.close(),
    };
    const store = clientStore(future, { handshakeTimeout: 20_000 }, 20_000);
    const error = await rejectsWith(store.get('k'), 'PROTOCOL');
    expect(error.message).toContain('v2');
  });

  it.each([
    ['codec', { codec: 'msgpack' }],
    ['maxKeyBytes', { maxKeyBytes: 512 }],
    ['maxValueBytes', { maxValueBytes: 1024 }],
    ['namespace (not well-formed)', { namespace: '\ud800' }],
  ])('a client whose %s differs from the host fails with PROTOCOL', async (_name, extra) => {
    const pair = createLoopbackPair();
    const host = hostEngine();
    host.attach(pair.host);
    const store = clientStore(pair.client, { handshakeTimeout: 20_000, ...extra }, 20_000);
    await rejectsWith(store.set('k', 1), 'PROTOCOL');
    await rejectsWith(store.get('k'), 'PROTOCOL');
    expect(host.stats().clients).toBe(0);
  });

  it('with no host at all, calls reject UNAVAILABLE after handshakeTimeout, then retry', async () => {
    const pair = createLoopbackPair();
    const store = clientStore(pair.client, { handshakeTimeout: 100 }, 20_000);
    const error = await rejectsWith(store.set('k', 1), 'UNAVAILABLE');
    expect(error.maybeApplied).toBe(false);
    expect(store.engine.stats()).toMatchObject({ pending: 0, timers: 0 });
    // A later call tries the handshake again (and fails again: still nobody there).
    await rejectsWith(store.get('k'), 'UNAVAILABLE');
    // Once a host serves the other end, the next call works.
    const host = hostEngine();
    host.attach(pair.host);
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
    expect(host.stats().clients).toBe(1);
  });

  it('a host attached while the first call waits for the handshake serves it', async () => {
    const pair = createLoopbackPair();
    const store = clientStore(pair.client, { handshakeTimeout: 20_000 }, 20_000);
    const first = store.set('k', 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    hostEngine().attach(pair.host);
    await first;
    expect(await store.get('k')).toBe(1);
  });

  it('the host welcomes a repeated hello and refuses clients past maxClientsPerLink', async () => {
    const raw = rawClient(hostEngine({ maxClientsPerLink: 2 }));
    raw.send(hello('one'));
    raw.send(hello('one'));
    raw.send(hello('two'));
    raw.send(hello('three'));
    const replies = await raw.take();
    expect(replies.map((frame) => [frame.k, frame.to])).toEqual([
      ['welcome', 'one'],
      ['welcome', 'one'],
      ['welcome', 'two'],
      ['refuse', 'three'],
    ]);
  });
});

describe('HostEngine: malformed requests', () => {
  it('frames without a usable sender or with a malformed body are dropped and counted', async () => {
    const { host } = loopbackHost();
    const raw = rawClient(host.engine);
    raw.send(hello('raw'));
    expect((await raw.take()).map((frame) => frame.k)).toEqual(['welcome']);
    const before = host.engine.stats();
    const call = [[1, 0, 'k']];
    const dropped: Frame[] = [
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'req', c: call },
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'req', from: 42, c: call },
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'req', from: null, c: call },
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'req', from: ['raw'], c: call },
      req('x'.repeat(65), call),
      req('x'.repeat(1_000_000), call),
      req('raw', 'x'),
      req('raw', null),
      req('raw', {}),
      req('raw', { length: 1, 0: [1, 0, 'k'] }),
      req('raw', 5),
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'nonsense', from: 'raw' },
      { [FRAME_TAG]: PROTOCOL_VERSION, k: 'constructor', from: 'raw' },
      { [FRAME_TAG]: PROTOCOL_VERSION, from: 'raw' },
    ];
    for (const frame of dropped) raw.send(frame);
    expect(await raw.take()).toEqual([]);
    const after = host.engine.stats();
    expect(after.malformedIn - before.malformedIn).toBe(dropped.length);
    expect(after.calls).toBe(before.calls);
    expect(after.framesOut).toBe(before.framesOut);
  });

  it('malformed calls are dropped or answered with an error, never dispatched by name', async () => {
    const { host, connect } = loopbackHost();
    const raw = rawClient(host.engine);
    raw.send(hello('raw'));
    await raw.take();
    const calls: unknown[] = [
      // Dropped: no usable id.
      'not a call',
      [],
      [1.5, 0, 'k'],
      ['7', 0, 'k'],
      [2 ** 53, 0, 'k'],
      [null, 0, 'k'],
      { 0: 1, 1: 0, 2: 'k' },
      // Answered with PROTOCOL: the op is not an operation number.
      [1, 'constructor', 'k'],
      [2, '__proto__', 'k'],
      [3, 'toString'],
      [4, 'hasOwnProperty', 'k'],
      [5, 'valueOf'],
      [6, 'get', 'k'],
      [7, 99, 'k'],
      [8, -1, 'k'],
      [9, '0', 'k'],
      [10, 1.5, 'k'],
      // Answered normally: extra arguments are ignored; any safe integer is an id.
      [11, 1, 'k', '"v"', 0, 'extra'],
      [12, 0, 'k'],
      [-5, 3, 'k'],
      // A duplicate id is answered twice; the client settles the first only.
      [12, 3, 'missing'],
    ];
    raw.send(req('raw', calls, { extra: { nested: true }, to: 'somebody', cmd: undefined }));
    const [response, ...rest] = await raw.take();
    expect(rest).toEqual([]);
    expect(response).toMatchObject({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'res', to: 'raw' });
    const replies = response?.r as unknown[][];
    expect(replies.map((reply) => reply[0])).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -5, 12,
    ]);
    for (const reply of replies.slice(0, 10)) {
      expect(reply).toEqual([reply[0], 1, 'PROTOCOL', expect.any(String)]);
    }
    expect(replies.slice(10)).toEqual([
      [11, 0, null],
      [12, 0, '"v"'],
      [-5, 0, true],
      [12, 0, false],
    ]);
    // The host still serves everyone, this client included.
    const store = connect();
    expect(await store.get('k')).toBe('v');
    raw.send(req('raw', [[13, 0, 'k']]));
    expect((await raw.take())[0]?.r).toEqual([[13, 0, '"v"']]);
    expect(({} as Record<string, unknown>).k).toBeUndefined();
  });

  it('requests from a client that never said hello on this link are never answered', async () => {
    const host = hostEngine();
    const raw = rawClient(host);
    const other = rawClient(host);
    other.send(hello('other'));
    await other.take();
    raw.send(req('stranger', [[1, 1, 'k', '"forged"', 0]]));
    // Another link's client id is no pass on this link.
    raw.send(req('other', [[2, 1, 'k', '"forged"', 0]]));
    expect(await raw.take()).toEqual([]);
    expect(await other.take()).toEqual([]);
    other.send(req('other', [[3, 0, 'k']]));
    expect((await other.take())[0]?.r).toEqual([[3, 0, null]]);
    expect(host.stats().calls).toBe(1);
  });

  it('a hello of a codec served elsewhere in this process is left to that host', async () => {
    const raw = rawClient(hostEngine({ servedElsewhere: (codec) => codec === 'msgpack' }));
    raw.send(hello('a', { codec: 'msgpack' }));
    raw.send(hello('b', { codec: 'cbor' }));
    expect((await raw.take()).map((frame) => [frame.k, frame.to])).toEqual([['refuse', 'b']]);
  });

  it('a JSON frame with a __proto__ member is an ordinary frame', async () => {
    const raw = rawClient(hostEngine());
    raw.send(JSON.parse(`{"__proto__":{"k":"bye"},${JSON.stringify(hello('raw')).slice(1)}`));
    raw.send(
      JSON.parse(
        '{"__statewire":1,"k":"req","from":"raw","c":[[1,1,"__proto__","{\\"__proto__\\":1}",0],[2,0,"__proto__"]],"__proto__":{"c":[]}}',
      ),
    );
    const frames = await raw.take();
    expect(frames.map((frame) => frame.k)).toEqual(['welcome', 'res']);
    expect(frames[1]?.r).toEqual([
      [1, 0, null],
      [2, 0, '{"__proto__":1}'],
    ]);
  });

  it('issue 12 item 8: a frame over maxCallsPerFrame is refused as a whole and its client dropped; nothing is applied', async () => {
    const host = hostEngine({ maxCallsPerFrame: 4 });
    const raw = rawClient(host);
    raw.send(hello('raw'));
    await raw.take();
    raw.send(
      req(
        'raw',
        Array.from({ length: 10 }, (_, i) => [i + 1, 9, 'n', 1]),
      ),
    );
    const frames = await raw.take();
    // One refusal, no reply per call.
    expect(frames).toEqual([expect.objectContaining({ k: 'refuse', to: 'raw', code: 'PROTOCOL' })]);
    expect(host.stats()).toMatchObject({ calls: 0, errors: 0, refusedFrames: 1, clients: 0 });
    // The client is forgotten: its later requests are not answered.
    raw.send(req('raw', [[11, 0, 'n']]));
    expect(await raw.take()).toEqual([]);
    // A frame at the limit is served.
    raw.send(hello('raw'));
    await raw.take();
    raw.send(
      req(
        'raw',
        Array.from({ length: 4 }, (_, i) => [i + 1, 9, 'n', 1]),
      ),
    );
    const [served] = await raw.take();
    expect((served?.r as unknown[][] | undefined)?.map((reply) => reply[2])).toEqual([1, 2, 3, 4]);
  });

  it('issue 12 item 9: a sparse list of calls claiming 10⁹ entries is refused without walking it', async () => {
    const host = hostEngine();
    const raw = rawClient(host);
    raw.send(hello('raw'));
    await raw.take();
    const sparse: unknown[] = [];
    sparse.length = 1_000_000_000;
    sparse[0] = [1, 9, 'n', 1];
    // The loopback copies with structuredClone, as postMessage does: the hole survives.
    raw.send(req('raw', sparse));
    expect((await raw.take()).map((frame) => [frame.k, frame.code])).toEqual([
      ['refuse', 'PROTOCOL'],
    ]);
    expect(host.stats()).toMatchObject({ refusedFrames: 1, calls: 0, errors: 0 });
  });

  it('issue 12 item 8: error replies fill the reply budget like results', async () => {
    const raw = rawClient(hostEngine({ replyBudgetBytes: 1000 }));
    raw.send(hello('raw'));
    await raw.take();
    // Every call fails (WRONG_TYPE is answered with a message of some 50 characters).
    raw.send(req('raw', [[1, 1, 's', '"text"', 0]]));
    await raw.take();
    raw.send(
      req(
        'raw',
        Array.from({ length: 400 }, (_, i) => [i + 2, 9, 's', 1]),
      ),
    );
    const frames = await raw.take();
    expect(frames.length).toBeGreaterThan(1);
    const replies = frames.flatMap((frame) => frame.r as unknown[][]);
    expect(replies).toHaveLength(400);
    for (const reply of replies) expect(reply.slice(1, 3)).toEqual([1, 'WRONG_TYPE']);
  });

  it('bye makes the host forget the client: its later requests are dropped', async () => {
    const host = hostEngine();
    const raw = rawClient(host);
    raw.send(hello('raw'));
    await raw.take();
    expect(host.stats().clients).toBe(1);
    raw.send({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'bye', from: 'raw' });
    raw.send(req('raw', [[1, 0, 'k']]));
    expect(await raw.take()).toEqual([]);
    expect(host.stats().clients).toBe(0);
  });
});

describe('HostEngine: reply frames', () => {
  const big = JSON.stringify('x'.repeat(100_000));

  it('cuts replies into frames of about replyBudgetBytes, in order', async () => {
    const raw = rawClient(hostEngine({ replyBudgetBytes: 250_000 }));
    raw.send(hello('raw'));
    await raw.take();
    raw.send(req('raw', [[1, Op.set, 'big', big, 0]]));
    await raw.take();
    raw.send(
      req(
        'raw',
        Array.from({ length: 10 }, (_, i) => [i, Op.get, 'big']),
      ),
    );
    const frames = await raw.take();
    // 100 kB a reply: the third reply crosses 250 kB and closes a frame.
    expect(frames.map((frame) => (frame.r as unknown[]).length)).toEqual([3, 3, 3, 1]);
    const ids = frames.flatMap((frame) => (frame.r as [number][]).map((reply) => reply[0]));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps small replies in one frame', async () => {
    const raw = rawClient(hostEngine());
    raw.send(hello('raw'));
    await raw.take();
    raw.send(
      req(
        'raw',
        Array.from({ length: 500 }, (_, i) => [i, Op.set, `k${i}`, '1', 0]),
      ),
    );
    const frames = await raw.take();
    expect(frames).toHaveLength(1);
    expect(frames[0]?.r).toHaveLength(500);
  });

  it('a client reads every reply of a response cut into several frames', async () => {
    const engine = hostEngine({ replyBudgetBytes: 1000 });
    const pair = createLoopbackPair();
    engine.attach(pair.host);
    const store = clientStore(pair.client);
    const value = 'y'.repeat(700);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, value)));
    const read = await Promise.all(Array.from({ length: 20 }, (_, i) => store.get(`k${i}`)));
    expect(read).toEqual(Array.from({ length: 20 }, () => value));
    // The welcome, one frame for the sets, ten for the gets (two replies each).
    expect(engine.stats().framesOut).toBe(12);
  });

  it('pauses a link whose replies back up, and resumes it on drain', async () => {
    const engine = hostEngine();
    const pair = createLoopbackPair();
    const { link, congest } = congestible(pair.host);
    const pause = vi.fn(() => pair.host.stall(true));
    const resume = vi.fn(() => pair.host.stall(false));
    engine.attach({ ...link, pause, resume });
    const store = clientStore(pair.client);
    await store.set('a', 1);
    congest(true);
    const first = store.set('b', 2);
    await expect(first).resolves.toBeUndefined();
    expect(pause).toHaveBeenCalledTimes(1);
    // Paused, the host reads nothing more: this call waits.
    let second = false;
    const next = store.get('b').then((value) => {
      second = true;
      return value;
    });
    await settle();
    expect(second).toBe(false);
    congest(false);
    expect(resume).toHaveBeenCalledTimes(1);
    await expect(next).resolves.toBe(2);
    // A later congestion pauses again.
    congest(true);
    await store.set('c', 3);
    expect(pause).toHaveBeenCalledTimes(2);
    const last = store.get('c');
    congest(false);
    await expect(last).resolves.toBe(3);
    expect(resume).toHaveBeenCalledTimes(2);
  });
});

describe('ClientEngine and HostEngine: failures', () => {
  it('disconnect rejects pending calls CONNECTION_LOST (maybeApplied for sent writes), and later calls', async () => {
    const { host, connect } = loopbackHost();
    const store = connect();
    await store.set('warm', 1);
    store.pair.host.stall(true);
    const write = store.set('k', 1);
    const read = store.get('k');
    await settle();
    expect(store.engine.stats()).toMatchObject({ pending: 2, queued: 0 });
    store.pair.disconnect();
    const [w, r] = await Promise.all([
      rejectsWith(write, 'CONNECTION_LOST'),
      rejectsWith(read, 'CONNECTION_LOST'),
    ]);
    expect(w.maybeApplied).toBe(true);
    expect('maybeApplied' in r).toBe(false);
    const later = await rejectsWith(store.set('k', 2), 'CONNECTION_LOST');
    // Refused before it left: never applied.
    expect(later.maybeApplied).toBe(false);
    await rejectsWith(store.get('k'), 'CONNECTION_LOST');
    await settle();
    expect(host.engine.stats()).toMatchObject({ links: 0, clients: 0 });
    // The host goes on serving others.
    const other = connect();
    await other.set('k', 3);
    expect(await other.get('k')).toBe(3);
  });

  it('a stalled host times calls out with TIMEOUT; late replies are dropped harmlessly', async () => {
    const { connect } = loopbackHost();
    const store = connect<{ k: number }>();
    await store.set('k', 1);
    store.pair.host.stall(true);
    const [w, r] = await Promise.all([
      rejectsWith(store.set('k', 2, { timeout: 50 }), 'TIMEOUT'),
      rejectsWith(store.get('k', { timeout: 50 }), 'TIMEOUT'),
    ]);
    expect(w.maybeApplied).toBe(true);
    expect('maybeApplied' in r).toBe(false);
    expect(store.engine.stats()).toMatchObject({ pending: 0, timers: 0, timeouts: 2 });
    const framesIn = store.engine.stats().framesIn;
    store.pair.host.stall(false);
    await until(() => store.engine.stats().framesIn > framesIn);
    expect(store.engine.stats()).toMatchObject({ pending: 0, timers: 0 });
    // maybeApplied was right: the host did apply the write, late.
    expect(await store.get('k')).toBe(2);
  });

  it('abort of a call over loopback rejects ABORTED; its late reply is dropped', async () => {
    const { connect } = loopbackHost();
    const store = connect();
    await store.set('k', 1);
    store.pair.host.stall(true);
    const controller = new AbortController();
    const write = store.set('k', 2, { signal: controller.signal });
    await settle();
    controller.abort();
    expect((await rejectsWith(write, 'ABORTED')).maybeApplied).toBe(true);
    await rejectsWith(store.get('k', { signal: AbortSignal.abort() }), 'ABORTED');
    store.pair.host.stall(false);
    expect(await store.get('k')).toBe(2);
  });

  it('past maxPending, calls reject OVERLOADED at once and are never applied', async () => {
    const { connect } = loopbackHost({ client: { maxPending: 3 } });
    const store = connect();
    await store.set('warm', 0);
    store.pair.host.stall(true);
    const accepted = [store.set('a', 1), store.set('b', 2), store.get('a')];
    const write = await rejectsWith(store.set('c', 3), 'OVERLOADED');
    expect(write.maybeApplied).toBe(false);
    const read = await rejectsWith(store.get('c'), 'OVERLOADED');
    expect('maybeApplied' in read).toBe(false);
    store.pair.host.stall(false);
    expect(await Promise.all(accepted)).toEqual([undefined, undefined, 1]);
    expect(await store.has('c')).toBe(false);
  });

  it('calls that time out on a congested link never pile up in the queue', async () => {
    const pair = createLoopbackPair();
    const host = hostEngine();
    host.attach(pair.host);
    const carrier = congestible(pair.client);
    const store = clientStore(carrier.link, { maxPending: 4 });
    await store.set('warm', 1);
    carrier.congest(true);
    // Sent (the carrier queues it) but the carrier reports congestion: later calls wait.
    await store.set('first', 1);
    for (let round = 0; round < 10; round++) {
      const errors = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          rejectsWith(store.set(`r${round}-${i}`, i, { timeout: 5 }), 'TIMEOUT'),
        ),
      );
      for (const error of errors) expect(error.maybeApplied).toBe(false);
    }
    expect(store.engine.stats().queued).toBeLessThanOrEqual(8);
    const sent = carrier.sent();
    carrier.congest(false);
    await settle();
    // Nothing that timed out is sent after the drain.
    expect(carrier.sent()).toBe(sent);
    expect(store.engine.stats().queued).toBe(0);
    expect(await store.keys('r')).toEqual([]);
    expect(host.stats().calls).toBe(3);
  });

  it('a call whose timeout fires while queued is never sent, and the host never applies it', async () => {
    const { host, connect } = loopbackHost();
    const store = connect();
    // Hold the hello: the client stays in the handshake, its calls queued.
    store.pair.host.stall(true);
    const error = await rejectsWith(store.set('k', 1, { timeout: 30 }), 'TIMEOUT');
    expect(error.maybeApplied).toBe(false);
    store.pair.host.stall(false);
    expect(await store.get('k')).toBeUndefined();
    expect(host.engine.stats().calls).toBe(1);
    expect(store.engine.stats().queued).toBe(0);
  });

  it('close() with calls pending rejects them CLOSED and closes the link', async () => {
    const { host, connect } = loopbackHost();
    const store = connect();
    await store.set('warm', 1);
    store.pair.host.stall(true);
    const closeLink = vi.spyOn(store.pair.client, 'close');
    const write = store.set('k', 1);
    const read = store.get('k');
    await settle();
    await store.close();
    const [w, r] = await Promise.all([rejectsWith(write, 'CLOSED'), rejectsWith(read, 'CLOSED')]);
    expect(w.maybeApplied).toBe(true);
    expect('maybeApplied' in r).toBe(false);
    expect(closeLink).toHaveBeenCalled();
    await rejectsWith(store.get('k'), 'CLOSED');
    await store.close();
    await settle();
    // The host forgets the client and its link.
    expect(host.engine.stats()).toMatchObject({ links: 0, clients: 0 });
  });

  it('close() before the handshake completes rejects queued calls CLOSED', async () => {
    const pair = createLoopbackPair();
    const store = clientStore(pair.client, { handshakeTimeout: 20_000 }, 20_000);
    const pending = store.set('k', 1);
    await store.close();
    expect((await rejectsWith(pending, 'CLOSED')).maybeApplied).toBe(false);
    expect(store.engine.stats()).toMatchObject({ pending: 0, timers: 0, queued: 0 });
  });

  it('a host that closes tells its clients: calls in flight fail CONNECTION_LOST at once, known unapplied', async () => {
    const engine = hostEngine();
    const pair = createLoopbackPair();
    engine.attach(pair.host);
    const store = clientStore(pair.client, {}, 60_000);
    await store.set('k', 1);
    // The host stops reading: the next write is sent but never reaches it.
    pair.host.stall(true);
    const write = store.set('k', 2);
    const read = store.get('k');
    await settle();
    expect(store.engine.stats()).toMatchObject({ pending: 2, queued: 0 });
    engine.close();
    const [w, r] = await Promise.all([
      rejectsWith(write, 'CONNECTION_LOST'),
      rejectsWith(read, 'CONNECTION_LOST'),
    ]);
    // Every call the host applied was answered before it said goodbye.
    expect(w.maybeApplied).toBe(false);
    expect(w.message).toContain('host.close()');
    expect('maybeApplied' in r).toBe(false);
    expect(store.engine.stats()).toMatchObject({ pending: 0, timers: 0 });
  });

  it('detaching a link tells its clients at once; their later calls fail the same way', async () => {
    const engine = hostEngine();
    const pair = createLoopbackPair();
    const detach = engine.attach(pair.host);
    const store = clientStore(pair.client, {}, 60_000);
    await store.set('k', 1);
    pair.host.stall(true);
    const write = store.set('k', 2);
    await settle();
    detach();
    expect((await rejectsWith(write, 'CONNECTION_LOST')).maybeApplied).toBe(false);
    const later = await rejectsWith(store.get('k'), 'CONNECTION_LOST');
    expect(later.message).toContain('detached');
  });

  it('a host whose link closed says nothing more on it', async () => {
    const engine = hostEngine();
    const pair = createLoopbackPair();
    engine.attach(pair.host);
    const sent = vi.spyOn(pair.host, 'send');
    const store = clientStore(pair.client);
    await store.set('k', 1);
    const before = sent.mock.calls.length;
    pair.disconnect();
    await settle();
    engine.close();
    expect(sent.mock.calls.length).toBe(before);
  });
});

describe('serveLoopback()', () => {
  it('connect() returns a Store with the declared capabilities', async () => {
    const { connect } = loopbackHost();
    const store: Store = connect();
    await store.set('k', 1);
    expect(store.capabilities).toEqual({
      binary: false,
      structured: false,
      ttl: true,
      shared: true,
      persistent: false,
      atomic: true,
      versions: true,
      maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
      maxBatchKeys: DEFAULT_MAX_BATCH_KEYS,
      maxReplyBytes: defaultMaxReplyBytes(DEFAULT_MAX_VALUE_BYTES),
    });
    expect(Object.isFrozen(store.capabilities)).toBe(true);
  });

  it('connect() throws TypeError for a malformed namespace', () => {
    const { host } = loopbackHost();
    expect(() => host.connect({ namespace: '\ud800' })).toThrow(TypeError);
    expect(() => host.connect({ namespace: 1 as never })).toThrow(TypeError);
  });

  it('many stores connected and closed leave the host with no links', async () => {
    const { host } = loopbackHost();
    for (let i = 0; i < 20; i++) {
      const store = host.connect();
      await store.set(`k${i}`, i);
      await store.close();
    }
    await settle();
    expect(host.engine.stats()).toMatchObject({ links: 0, clients: 0 });
    expect(host.backend.stats().entries).toBe(20);
  });
});
