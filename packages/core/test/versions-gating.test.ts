// A store without `versions` (or `atomic`) refuses what needs them with NOT_SUPPORTED and
// never runs the call without them (issue 15): a BaseStore over an executor that declares
// neither, and a client whose host runs a release before versions.
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec } from '../src/index.js';
import { createLoopbackPair } from '../src/testing.js';
import {
  BaseStore,
  ClientEngine,
  defineCapabilities,
  type ExecuteOptions,
  type Executor,
  HostEngine,
  type Link,
  MemoryBackend,
  Op,
  type OpArgs,
  type OpCode,
  type OpResult,
} from '../src/transport.js';
import { clientOptions, rejectsWith, settle } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Runs plain calls on a backend and records every op it is asked to run; ops 12 and 13 it
// does not know, as an executor written before versions would.
class PlainExecutor implements Executor {
  readonly ops: OpCode[] = [];
  readonly #backend = new MemoryBackend({ codec: jsonCodec });

  async execute<O extends OpCode>(
    op: O,
    args: OpArgs[O],
    _options: ExecuteOptions,
  ): Promise<OpResult[O]> {
    this.ops.push(op);
    const [key, value, ttl] = args as [string, string, number];
    switch (op) {
      case Op.get:
        return (this.#backend.get('', key) ?? null) as OpResult[O];
      case Op.set:
        this.#backend.set('', key, value, ttl);
        return null as OpResult[O];
      case Op.delete:
        return this.#backend.delete('', key) as OpResult[O];
      default:
        throw new Error(`this executor does not know op ${op}`);
    }
  }

  async close(): Promise<void> {
    this.#backend.close();
  }
}

function plainStore(flags: { atomic?: boolean; versions?: boolean }) {
  const executor = new PlainExecutor();
  const store = new BaseStore({
    executor,
    codec: jsonCodec,
    capabilities: defineCapabilities({ ttl: true, ...flags }),
    timeout: 5000,
    label: 'plain',
  });
  cleanups.push(() => store.close());
  return { store, executor };
}

describe('a store without capabilities.versions', () => {
  it('getEntry(), getEntries(), ifVersion (string or null) and atomic().check() reject NOT_SUPPORTED and are never sent', async () => {
    const { store, executor } = plainStore({ atomic: true });
    expect(store.capabilities.versions).toBe(false);
    await store.set('k', 1);
    executor.ops.length = 0;
    await rejectsWith(store.getEntry('k'), 'NOT_SUPPORTED');
    await rejectsWith(store.getEntries(['k']), 'NOT_SUPPORTED');
    await rejectsWith(store.getEntries([]), 'NOT_SUPPORTED');
    for (const ifVersion of ['v', null]) {
      const set = await rejectsWith(store.set('k', 2, { ifVersion }), 'NOT_SUPPORTED');
      expect(set.maybeApplied).toBe(false);
      const removed = await rejectsWith(store.delete('k', { ifVersion }), 'NOT_SUPPORTED');
      expect(removed.maybeApplied).toBe(false);
    }
    const commit = await rejectsWith(
      store.atomic().check('k', null).set('k', 3).commit(),
      'NOT_SUPPORTED',
    );
    expect(commit.maybeApplied).toBe(false);
    // Never ignored: nothing reached the executor, and the value is the one written first.
    expect(executor.ops).toEqual([]);
    expect(await store.get('k')).toBe(1);
  });

  it('ifVersion: undefined is no condition: a plain set and delete', async () => {
    const { store, executor } = plainStore({});
    await store.set('k', 1, { ifVersion: undefined });
    expect(await store.delete('k', { ifVersion: undefined })).toBe(true);
    expect(executor.ops).toEqual([Op.set, Op.delete]);
  });
});

describe('a store without capabilities.atomic', () => {
  it('commit() rejects NOT_SUPPORTED, even when empty, and sends nothing', async () => {
    const { store, executor } = plainStore({ versions: true });
    await rejectsWith(store.atomic().set('k', 1).commit(), 'NOT_SUPPORTED');
    await rejectsWith(store.atomic().commit(), 'NOT_SUPPORTED');
    expect(executor.ops).toEqual([]);
  });
});

describe('a client whose host runs a release before versions', () => {
  // A host link that drops `ops` from the welcome, as a host of an earlier release sends
  // it, and records the ops of every call the host receives.
  function olderHost() {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const engine = new HostEngine({ backend, codec: jsonCodec });
    cleanups.push(() => {
      engine.close();
      backend.close();
    });
    const pair = createLoopbackPair();
    const received: unknown[] = [];
    const link: Link = {
      label: pair.host.label,
      open(handlers) {
        pair.host.open({
          ...handlers,
          message(message) {
            const calls = (message as { c?: unknown }).c;
            if (Array.isArray(calls)) for (const call of calls) received.push(call[1]);
            handlers.message(message);
          },
        });
      },
      send(frame) {
        if ((frame as { k?: unknown }).k !== 'welcome') return pair.host.send(frame);
        const { ops: _ops, ...older } = frame as Record<string, unknown>;
        return pair.host.send(older);
      },
      close: () => pair.host.close(),
    };
    engine.attach(link);
    // Declares versions, as a transport of this release does.
    const versioned = new BaseStore({
      executor: new ClientEngine(clientOptions(pair.client)),
      codec: jsonCodec,
      capabilities: defineCapabilities({ ttl: true, atomic: true, versions: true, shared: true }),
      timeout: 5000,
      label: 'test',
    });
    cleanups.push(() => versioned.close());
    return { store: versioned, received };
  }

  it('capabilities.versions turns false once the welcome arrives; version calls reject NOT_SUPPORTED and never leave', async () => {
    const { store, received } = olderHost();
    // Made before the welcome: queued, then refused instead of sent.
    const early = store.getEntry('k');
    const earlySet = store.set('k', 1, { ifVersion: null });
    await rejectsWith(early, 'NOT_SUPPORTED');
    const error = await rejectsWith(earlySet, 'NOT_SUPPORTED');
    expect(error.maybeApplied).toBe(false);
    expect(store.capabilities.versions).toBe(false);
    expect(Object.isFrozen(store.capabilities)).toBe(true);
    expect(store.capabilities).toBe(store.capabilities);
    await rejectsWith(store.getEntries(['k']), 'NOT_SUPPORTED');
    await rejectsWith(store.atomic().check('k', null).commit(), 'NOT_SUPPORTED');
    // A commit without checks passes the versions gate, and the engine refuses its op.
    const commit = await rejectsWith(store.atomic().set('k', 1).commit(), 'NOT_SUPPORTED');
    expect(commit.maybeApplied).toBe(false);
    // Plain calls go on working.
    await store.set('k', 2);
    expect(await store.get('k')).toBe(2);
    await settle();
    expect(received.filter((op) => op === Op.getEntries || op === Op.atomic)).toEqual([]);
    expect(received).toContain(Op.set);
  });
});
