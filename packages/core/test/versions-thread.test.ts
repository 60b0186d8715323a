// Versions and atomic commits against a holder in a real worker thread (issue 15): frames
// cross a thread boundary by structured clone, the host assigns versions, and a restarted
// holder or one of an earlier release is met the way a transport meets it.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec, type Store } from '../src/index.js';
import {
  connectStore,
  FRAME_TAG,
  type Link,
  MutationKind,
  Op,
  PROTOCOL_VERSION,
} from '../src/transport.js';
import { rejectsWith, until } from './helpers.js';

const holderScript = fileURLToPath(new URL('./fixtures/versions-holder.mjs', import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHolder(legacy = false): Promise<Worker> {
  const worker = new Worker(holderScript, { workerData: { legacy } });
  cleanups.push(() => worker.terminate());
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  });
  return worker;
}

// The parent's end of the thread: each store is one link on the same Worker, and picks its
// own frames by client id.
function workerLink(worker: Worker): Link {
  let listener: ((message: unknown) => void) | undefined;
  return {
    label: 'versions holder thread',
    open(handlers) {
      listener = (message) => handlers.message(message);
      worker.on('message', listener);
      worker.once('exit', () => handlers.close(new Error('the holder thread exited')));
    },
    send(frame) {
      worker.postMessage(frame);
      return true;
    },
    close() {
      if (listener) worker.off('message', listener);
    },
  };
}

function connect(worker: Worker): Store {
  const store = connectStore({
    link: () => workerLink(worker),
    codec: jsonCodec,
    options: { timeout: 20_000 },
    label: 'thread',
  });
  cleanups.push(() => store.close());
  return store;
}

describe('a holder in a worker thread', () => {
  it('CAS-increment loops of four clients lose no update: the final value is the number of successful CASes', async () => {
    const worker = await startHolder();
    const stores = [connect(worker), connect(worker), connect(worker), connect(worker)];
    expect(stores[0]?.capabilities.versions).toBe(true);
    const successes = await Promise.all(
      stores.map(async (store) => {
        let won = 0;
        for (let attempt = 0; attempt < 400 && won < 25; attempt++) {
          const entry = await store.getEntry('counter');
          const next = ((entry?.value as number | undefined) ?? 0) + 1;
          try {
            await store.set('counter', next, { ifVersion: entry?.version ?? null });
            won++;
          } catch (error) {
            expect((error as { code?: unknown }).code).toBe('CONFLICT');
          }
        }
        return won;
      }),
    );
    const total = successes.reduce((sum, won) => sum + won, 0);
    expect(total).toBeGreaterThan(0);
    expect(await stores[0]?.get('counter')).toBe(total);
  });

  it('an atomic commit applies all of its mutations or none', async () => {
    const worker = await startHolder();
    const store = connect(worker);
    await store.set('text', 'x');
    await rejectsWith(store.atomic().set('a', 1).increment('text').commit(), 'WRONG_TYPE');
    expect(await store.has('a')).toBe(false);
    const result = await store.atomic().check('a', null).set('a', 1).increment('n', 2).commit();
    expect(result.ok).toBe(true);
    expect(await store.getMany(['a', 'n'])).toEqual([1, 2]);
    expect(result.ok && (await store.getEntry('n'))?.version).toBe(result.ok && result.versions.n);
  });

  it('malformed getEntries and atomic frames are answered with PROTOCOL; the holder keeps serving', async () => {
    const worker = await startHolder();
    const store = connect(worker);
    await store.set('k', 1);
    const replies: unknown[][] = [];
    const onMessage = (message: { to?: unknown; k?: unknown; r?: unknown[][] }) => {
      if (message?.to === 'raw' && message.k === 'res') replies.push(...(message.r ?? []));
    };
    worker.on('message', onMessage);
    cleanups.push(() => worker.off('message', onMessage));
    const frame = { [FRAME_TAG]: PROTOCOL_VERSION, from: 'raw' };
    worker.postMessage({
      ...frame,
      k: 'hello',
      codec: 'json',
      namespace: '',
      maxKeyBytes: 1024,
      maxValueBytes: 64 * 1024 * 1024,
      maxBatchKeys: 100_000,
      maxReplyBytes: 128 * 1024 * 1024,
    });
    const sparse: unknown[] = [];
    sparse.length = 1e9;
    worker.postMessage({
      ...frame,
      k: 'req',
      c: [
        [1, Op.getEntries, 7],
        [2, Op.atomic, [['k', 1]], []],
        [3, Op.atomic, [], [[MutationKind.set, 'k', '2', -5]]],
        [4, Op.atomic, [], [[42, 'k']]],
        [5, Op.atomic, sparse, []],
      ],
    });
    await until(() => replies.length === 5, 20_000);
    expect(replies.map((reply) => reply.slice(0, 3))).toEqual([
      [1, 1, 'PROTOCOL'],
      [2, 1, 'PROTOCOL'],
      [3, 1, 'PROTOCOL'],
      [4, 1, 'PROTOCOL'],
      [5, 1, 'TOO_LARGE'],
    ]);
    expect(await store.get('k')).toBe(1);
    await store.set('k', 3, { ifVersion: (await store.getEntry('k'))?.version ?? null });
    expect(await store.get('k')).toBe(3);
  });

  it('a restarted holder never matches a version handed out before the restart', async () => {
    const first = await startHolder();
    const before = connect(first);
    await before.set('k', 'v');
    const old = await before.getEntry('k');
    await before.close();
    await first.terminate();
    const second = await startHolder();
    const after = connect(second);
    // The same history on the new holder: only the epoch tells the versions apart.
    await after.set('k', 'v');
    expect((await after.getEntry('k'))?.version).not.toBe(old?.version);
    await rejectsWith(after.set('k', 'w', { ifVersion: old?.version as string }), 'CONFLICT');
    expect(await after.get('k')).toBe('v');
  });

  it('a holder of an earlier release: capabilities.versions is false and version calls reject NOT_SUPPORTED without being sent', async () => {
    const worker = await startHolder(true);
    const store = connect(worker);
    expect(store.capabilities.versions).toBe(true);
    await store.set('k', 1);
    expect(store.capabilities.versions).toBe(false);
    await rejectsWith(store.getEntry('k'), 'NOT_SUPPORTED');
    const error = await rejectsWith(store.set('k', 2, { ifVersion: null }), 'NOT_SUPPORTED');
    expect(error.maybeApplied).toBe(false);
    await rejectsWith(store.atomic().set('k', 2).commit(), 'NOT_SUPPORTED');
    expect(await store.get('k')).toBe(1);
    const counted = new Promise<unknown>((resolve) => {
      const onCount = (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'versionCalls' in message) {
          worker.off('message', onCount);
          resolve((message as { versionCalls: unknown }).versionCalls);
        }
      };
      worker.on('message', onCount);
    });
    worker.postMessage('count');
    expect(await counted).toBe(0);
  });
});
