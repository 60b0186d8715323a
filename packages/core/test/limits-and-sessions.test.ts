// Issue 12, items 10, 11, 12 and 14 on the engines, over loopback pairs: the reply limit,
// limits known to the client, sessions that end however a client leaves, and the
// maybeApplied rule.
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec } from '../src/index.js';
import { createLoopbackPair, type LoopbackPair, serveLoopback } from '../src/testing.js';
import {
  BaseStore,
  ClientEngine,
  DEFAULT_MAX_BATCH_KEYS,
  DEFAULT_MAX_KEY_BYTES,
  defineCapabilities,
  type Executor,
  HostEngine,
  type Link,
  MemoryBackend,
  maxRequestFrameBytes,
} from '../src/transport.js';
import { clientOptions, settle, storeOver } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function host(options: Parameters<typeof serveLoopback>[0] = {}) {
  const served = serveLoopback(options);
  cleanups.push(() => served.close());
  return served;
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('issue 12 item 10: the reply limit', () => {
  it('getMany whose answer would be over maxReplyBytes rejects TOO_LARGE; the store keeps working', async () => {
    const served = host({ host: { maxReplyBytes: 64 * 1024 } });
    const store = served.connect();
    cleanups.push(() => store.close());
    expect(store.capabilities.maxReplyBytes).toBe(64 * 1024);
    await store.set('big', 'x'.repeat(10_000));
    const keys = Array.from({ length: 600 }, () => 'big');
    const error = await rejection(store.getMany(keys));
    expect(error.code).toBe('TOO_LARGE');
    expect('maybeApplied' in error).toBe(false);
    expect(await store.getMany(keys.slice(0, 6))).toHaveLength(6);
    expect(await store.get('big')).toHaveLength(10_000);
    expect(served.engine.stats().errors).toBe(1);
  });

  it('keys() of a namespace over the limit rejects TOO_LARGE without collecting it all', async () => {
    const served = host({ host: { maxReplyBytes: 16 * 1024 } });
    const store = served.connect();
    cleanups.push(() => store.close());
    // ~4000 keys of ~6 characters: ~24 KiB of keys against a 16 KiB limit.
    await store.setMany(Array.from({ length: 4000 }, (_, i) => ({ key: `k:${i}`, value: i })));
    expect((await rejection(store.keys())).code).toBe('TOO_LARGE');
    expect(await store.keys('k:1999')).toEqual(['k:1999']);
  });

  it('the memory store keeps the same limit', async () => {
    const store = createMemoryStore({ maxReplyBytes: 16 * 1024 });
    cleanups.push(() => store.close());
    await store.set('big', 'x'.repeat(1000));
    expect((await rejection(store.getMany(Array(40).fill('big')))).code).toBe('TOO_LARGE');
    // ~4000 keys of ~6 characters: ~24 KiB of keys against a 16 KiB limit.
    await store.setMany(Array.from({ length: 4000 }, (_, i) => ({ key: `k:${i}`, value: i })));
    expect((await rejection(store.keys())).code).toBe('TOO_LARGE');
    expect(await store.get('big')).toHaveLength(1000);
  });

  it('a reply frame the link cannot carry fails its calls with TOO_LARGE; the link stays open', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    cleanups.push(() => pair.disconnect());
    // Node throws from send() for a message it cannot serialize; this link does so for
    // replies carrying the value 'unsendable'.
    const hostLink: Link = {
      label: 'throwing',
      open: (handlers) => pair.host.open(handlers),
      send(frame) {
        if (JSON.stringify(frame).includes('unsendable'))
          throw new RangeError('Invalid string length');
        return pair.host.send(frame);
      },
      close: () => pair.host.close(),
    };
    engine.attach(hostLink);
    const store = storeOver(pair.client);
    cleanups.push(() => store.close());
    await store.set('k', 'unsendable');
    // In one frame with the read that cannot be carried: a write, whose answer arrives.
    const [written, error] = await Promise.all([
      store.set('w', 1),
      rejection(store.get('k')),
      store.increment('n'),
    ]);
    expect(written).toBeUndefined();
    expect(error.code).toBe('TOO_LARGE');
    expect(await store.get('n')).toBe(1);
    await store.set('k', 'fine');
    expect(await store.get('k')).toBe('fine');
    expect(engine.stats().unsendableReplies).toBe(1);
  });

  it('a request frame the link cannot carry fails its calls (writes: maybeApplied false); the link stays open', async () => {
    const served = host();
    const pair = createLoopbackPair();
    cleanups.push(() => pair.disconnect());
    served.engine.attach(pair.host);
    const clientLink: Link = {
      label: 'throwing',
      open: (handlers) => pair.client.open(handlers),
      send(frame) {
        if (JSON.stringify(frame).includes('unsendable'))
          throw new RangeError('Invalid string length');
        return pair.client.send(frame);
      },
      close: () => pair.client.close(),
    };
    const store = storeOver(clientLink);
    cleanups.push(() => store.close());
    const error = await rejection(store.set('k', 'unsendable'));
    expect(error).toMatchObject({ code: 'TOO_LARGE', maybeApplied: false });
    await store.set('k', 'fine');
    expect(await store.get('k')).toBe('fine');
  });
});

describe('a client that does not read its replies, on a link that cannot pause', () => {
  it('gets no more answers once maxReplyBytes of replies wait on the link, until it drains; its goodbye still ends its session', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec, maxReplyBytes: 64 * 1024 });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    cleanups.push(() => pair.disconnect());
    // Like an IPC channel whose reader is stuck: every send reports congestion, there is no
    // pause, and drain comes only when the test says so (the frames still arrive here, so
    // that what the host answered can be seen).
    let congested = false;
    let drain: (() => void) | undefined;
    const hostLink: Link = {
      label: 'never drains',
      open(handlers) {
        drain = handlers.drain;
        pair.host.open(handlers);
      },
      send: (frame) => pair.host.send(frame) && !congested,
      close: () => pair.host.close(),
    };
    engine.attach(hostLink);
    const store = storeOver(pair.client, { maxReplyBytes: 64 * 1024 });
    cleanups.push(() => store.close());
    await store.set('big', 'x'.repeat(10_000));
    congested = true;
    const answered: number[] = [];
    for (let i = 0; i < 12; i++) {
      const result = await store.get('big', { timeout: 200 }).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
      if (result === 'ok') answered.push(i);
      else expect(result).toBe('TIMEOUT');
    }
    // ~7 answers of 10 KB fill the 64 KiB; the rest were dropped unanswered.
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(12);
    expect(engine.stats().droppedIn).toBe(12 - answered.length);
    congested = false;
    drain?.();
    expect(await store.get('big')).toHaveLength(10_000);
    congested = true;
    await store.close();
    await settle();
    expect(engine.stats().clients).toBe(0);
  });
});

describe('issue 12 item 11: limits known to the client', () => {
  it('declares maxBatchKeys and rejects a longer batch before sending it', async () => {
    const served = host({ host: { maxBatchKeys: 10 } });
    const store = served.connect();
    cleanups.push(() => store.close());
    expect(store.capabilities.maxBatchKeys).toBe(10);
    await store.set('k', 1);
    const before = store.engine.stats().framesOut;
    const keys = Array.from({ length: 11 }, (_, i) => `k${i}`);
    expect(await rejection(store.getMany(keys))).toMatchObject({ code: 'TOO_LARGE' });
    expect(await rejection(store.deleteMany(keys))).toMatchObject({
      code: 'TOO_LARGE',
      maybeApplied: false,
    });
    expect(await rejection(store.setMany(keys.map((key) => ({ key, value: 1 }))))).toMatchObject({
      code: 'TOO_LARGE',
      maybeApplied: false,
    });
    await settle();
    expect(store.engine.stats().framesOut).toBe(before);
    expect(await store.getMany(keys.slice(0, 10))).toHaveLength(10);
  });

  it('a client whose batch or reply limit differs from the host is refused with PROTOCOL', async () => {
    const served = host();
    for (const extra of [{ maxBatchKeys: 5 }, { maxReplyBytes: 1000 }]) {
      const pair = createLoopbackPair();
      cleanups.push(() => pair.disconnect());
      served.engine.attach(pair.host);
      const store = storeOver(pair.client, extra);
      cleanups.push(() => store.close());
      expect((await rejection(store.get('k'))).code).toBe('PROTOCOL');
    }
  });

  it('the largest legal call fits the request frame limit derived from the same limits', () => {
    const limits = {
      maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: 1024,
      maxBatchKeys: DEFAULT_MAX_BATCH_KEYS,
    };
    // The case: 66,000 keys of 1,020 bytes with a small value limit.
    expect(66_000 * (1020 + 5)).toBeLessThan(maxRequestFrameBytes(limits));
    expect(DEFAULT_MAX_BATCH_KEYS * (DEFAULT_MAX_KEY_BYTES + 5) + 1024).toBeLessThan(
      maxRequestFrameBytes(limits),
    );
  });
});

describe('issue 12 item 12: sessions end however a client leaves', () => {
  it('a store closed before the welcome says goodbye: 100 such stores leave no session and a new store is served', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    cleanups.push(() => pair.disconnect());
    engine.attach(pair.host);
    // Many stores share one channel, as stores share `process` in a worker: each is a
    // client engine on its own view of the same link.
    const shared = sharedLink(pair.client);
    for (let i = 0; i < 100; i++) {
      const engineOfStore = new ClientEngine(clientOptions(shared()));
      // Closed in the same tick: the hello is on its way, the welcome not yet back.
      await engineOfStore.close();
    }
    await settle(20);
    expect(engine.stats().clients).toBe(0);
    const store = storeOver(shared());
    cleanups.push(() => store.close());
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
  });

  it('a store past maxClientsPerLink is refused OVERLOADED (writes maybeApplied false) and served once there is room', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec, maxClientsPerLink: 2 });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    cleanups.push(() => pair.disconnect());
    engine.attach(pair.host);
    const shared = sharedLink(pair.client);
    const first = storeOver(shared());
    const second = storeOver(shared());
    await first.set('a', 1);
    await second.set('b', 1);
    const third = storeOver(shared());
    cleanups.push(() => third.close());
    expect(await rejection(third.set('c', 1))).toMatchObject({
      code: 'OVERLOADED',
      maybeApplied: false,
    });
    await first.close();
    await second.close();
    await settle();
    await third.set('c', 1);
    expect(await third.get('c')).toBe(1);
  });

  it("links attached with one channel share its maxClientsPerLink, and the channel's detach ends them all with a goodbye", async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec, maxClientsPerLink: 2 });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const channel = {};
    const pairs = [createLoopbackPair(), createLoopbackPair(), createLoopbackPair()];
    for (const pair of pairs) cleanups.push(() => pair.disconnect());
    const [main, side, elsewhere] = pairs as [LoopbackPair, LoopbackPair, LoopbackPair];
    const detach = engine.attach(main.host, channel);
    engine.attach(side.host, channel);
    // Another channel, and a link attached without one, count on their own.
    engine.attach(elsewhere.host, {});
    const first = storeOver(main.client);
    const sideLinks = sharedLink(side.client);
    const second = storeOver(sideLinks());
    const other = storeOver(elsewhere.client);
    await first.set('a', 1);
    await second.set('b', 1);
    await other.set('c', 1);
    const third = storeOver(sideLinks());
    cleanups.push(() => third.close());
    expect(await rejection(third.set('d', 1))).toMatchObject({
      code: 'OVERLOADED',
      maybeApplied: false,
    });
    expect(engine.stats()).toMatchObject({ links: 3, clients: 3 });

    detach();
    for (const store of [first, second]) {
      expect(await rejection(store.set('e', 1))).toMatchObject({
        code: 'CONNECTION_LOST',
        maybeApplied: false,
      });
    }
    expect(engine.stats()).toMatchObject({ links: 1, clients: 1 });
    expect(await other.get('c')).toBe(1);
    // A detach kept after its links left never touches a later attachment of the channel.
    const again = createLoopbackPair();
    cleanups.push(() => again.disconnect());
    engine.attach(again.host, channel);
    detach();
    const fresh = storeOver(again.client);
    cleanups.push(() => fresh.close());
    expect(await fresh.get('a')).toBe(1);
  });
});

describe('issue 12 item 14: the maybeApplied rule', () => {
  it('a write the holder rejects carries maybeApplied false; a read never carries it', async () => {
    const served = host();
    const store = served.connect();
    cleanups.push(() => store.close());
    await store.set('s', 'text');
    expect(await rejection(store.increment('s'))).toMatchObject({
      code: 'WRONG_TYPE',
      maybeApplied: false,
    });
  });

  it('the memory store: writes it rejects carry false, reads none, a closed store false', async () => {
    const store = createMemoryStore();
    await store.set('s', 'text');
    expect(await rejection(store.increment('s'))).toMatchObject({
      code: 'WRONG_TYPE',
      maybeApplied: false,
    });
    expect(await rejection(store.set('', 1))).toMatchObject({
      code: 'INVALID_KEY',
      maybeApplied: false,
    });
    expect('maybeApplied' in (await rejection(store.get('')))).toBe(false);
    await store.close();
    expect(await rejection(store.set('k', 1))).toMatchObject({
      code: 'CLOSED',
      maybeApplied: false,
    });
    expect(await rejection(store.clear())).toMatchObject({ code: 'CLOSED', maybeApplied: false });
    expect('maybeApplied' in (await rejection(store.get('k')))).toBe(false);
  });

  it('validation rejections of every write carry false', async () => {
    const store = new BaseStore({
      executor: refusingExecutor(),
      codec: jsonCodec,
      capabilities: defineCapabilities({ maxValueBytes: 8 }),
      timeout: 1000,
      label: 'test',
    });
    const writes = [
      store.set('k', undefined as never),
      store.set('k', 'way over eight bytes'),
      store.set('k', 1, { ttl: 5 }),
      store.delete(''),
      store.setMany([{ key: '', value: 1 }]),
      store.setMany('nope' as never),
      store.deleteMany([''] as never),
      store.increment('k', 1.5),
      store.setIfAbsent('k', (() => 1) as never),
    ];
    for (const write of writes) {
      const error = await rejection(write);
      expect(error.maybeApplied, String(error.message)).toBe(false);
    }
  });

  it("after the host's goodbye, pending writes carry false", async () => {
    const served = host();
    const store = served.connect();
    await store.set('k', 1);
    store.pair.host.stall(true);
    const write = rejection(store.set('k', 2));
    await settle();
    served.engine.close();
    store.pair.host.stall(false);
    expect(await write).toMatchObject({ code: 'CONNECTION_LOST', maybeApplied: false });
    await store.close();
  });

  it('a sent write that times out carries true; one that times out unsent carries false', async () => {
    const served = host();
    const store = served.connect();
    cleanups.push(() => store.close());
    await store.set('k', 1);
    store.pair.host.stall(true);
    expect(await rejection(store.set('k', 2, { timeout: 30 }))).toMatchObject({
      code: 'TIMEOUT',
      maybeApplied: true,
    });
    store.pair.host.stall(false);
    const unsent = storeOver(createLoopbackPair().client, { handshakeTimeout: 10_000 });
    cleanups.push(() => unsent.close());
    expect(await rejection(unsent.set('k', 2, { timeout: 30 }))).toMatchObject({
      code: 'TIMEOUT',
      maybeApplied: false,
    });
  });
});

/** Views of one link for several client engines, as stores share one IPC channel. */
function sharedLink(inner: Link): () => Link {
  const handlers = new Set<Parameters<Link['open']>[0]>();
  inner.open({
    message: (message) => {
      for (const h of [...handlers]) h.message(message);
    },
    close: (reason) => {
      for (const h of [...handlers]) h.close(reason);
    },
    drain: () => {
      for (const h of [...handlers]) h.drain();
    },
  });
  return () => {
    let mine: Parameters<Link['open']>[0] | undefined;
    return {
      label: inner.label,
      open(h) {
        mine = h;
        handlers.add(h);
      },
      send: (frame) => inner.send(frame),
      close() {
        if (mine) handlers.delete(mine);
      },
    };
  };
}

/** An executor no call may reach: every case below must be refused by validation. */
function refusingExecutor(): Executor {
  return {
    execute: () => Promise.reject(new Error('validation must refuse first')),
    close: () => Promise.resolve(),
  };
}
