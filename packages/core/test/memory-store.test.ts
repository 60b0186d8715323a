import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, jsonCodec, StateError } from '../src/index.js';
import { DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES, MemoryBackend } from '../src/transport.js';
import { caught, rejectsWith } from './helpers.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const distIndex = join(packageDir, 'dist', 'index.js');
const distTesting = join(packageDir, 'dist', 'testing.js');

describe('createMemoryStore()', () => {
  it('every method works on a fresh store', async () => {
    const store = createMemoryStore<Record<string, unknown>>();
    expect(await store.get('a')).toBeUndefined();
    await store.set('a', { n: 1 });
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(await store.has('a')).toBe(true);
    expect(await store.setIfAbsent('a', 2)).toBe(false);
    expect(await store.setIfAbsent('b', 2)).toBe(true);
    expect(await store.increment('c')).toBe(1);
    expect(await store.increment('c', 41)).toBe(42);
    await store.setMany([
      { key: 'd', value: 'x' },
      { key: 'e', value: null, ttl: 60_000 },
    ]);
    expect(await store.getMany(['a', 'missing', 'e', 'd'])).toEqual([
      { n: 1 },
      undefined,
      null,
      'x',
    ]);
    expect((await store.keys()).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await store.deleteMany(['a', 'b', 'missing'])).toBe(2);
    expect(await store.delete('c')).toBe(true);
    expect(await store.delete('c')).toBe(false);
    await store.clear();
    expect(await store.keys()).toEqual([]);
    await store.close();
  });

  it('capabilities are declared, frozen and follow the options', async () => {
    const store = createMemoryStore();
    expect(store.capabilities).toEqual({
      binary: false,
      structured: false,
      ttl: true,
      shared: false,
      persistent: false,
      atomic: true,
      versions: true,
      maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
      maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
      maxBatchKeys: 100_000,
      maxReplyBytes: 2 * DEFAULT_MAX_VALUE_BYTES,
    });
    expect(Object.isFrozen(store.capabilities)).toBe(true);
    const small = createMemoryStore({ maxKeyBytes: 8, maxValueBytes: 16 });
    expect(small.capabilities).toMatchObject({ maxKeyBytes: 8, maxValueBytes: 16 });
    await rejectsWith(small.set('123456789', 1), 'TOO_LARGE');
    await rejectsWith(small.set('k', 'x'.repeat(20)), 'TOO_LARGE');
    await small.set('12345678', 'x'.repeat(14));
    await Promise.all([store.close(), small.close()]);
  });

  it('falsy values round-trip and a stored null is not a missing key', async () => {
    const store = createMemoryStore();
    for (const value of [0, false, '', null, [], {}]) {
      await store.set('k', value);
      expect(await store.get('k')).toStrictEqual(value);
      expect(await store.has('k')).toBe(true);
    }
    expect(await store.getMany(['k', 'missing'])).toEqual([{}, undefined]);
    await store.set('k', null);
    expect(await store.getMany(['k', 'missing'])).toEqual([null, undefined]);
    await store.close();
  });

  it('set() copies the value: mutating it afterwards changes nothing stored', async () => {
    const store = createMemoryStore();
    const value = { list: [1, 2], nested: { a: 'x' } };
    await store.set('k', value);
    value.list.push(3);
    value.nested.a = 'changed';
    expect(await store.get('k')).toEqual({ list: [1, 2], nested: { a: 'x' } });
    const entries = [{ key: 'm', value: { n: 1 } }];
    await store.setMany(entries);
    entries[0]!.value.n = 2;
    expect(await store.get('m')).toEqual({ n: 1 });
    await store.close();
  });

  it('get() returns a copy: mutating what it returned changes nothing stored', async () => {
    const store = createMemoryStore();
    await store.set('k', { list: [1] });
    const read = (await store.get('k')) as { list: number[] };
    read.list.push(2);
    expect(await store.get('k')).toEqual({ list: [1] });
    expect(await store.get('k')).not.toBe(await store.get('k'));
    await store.close();
  });

  it('undefined is not a value: set() rejects INVALID_VALUE', async () => {
    const store = createMemoryStore();
    await rejectsWith(store.set('k', undefined), 'INVALID_VALUE');
    await rejectsWith(store.setIfAbsent('k', undefined), 'INVALID_VALUE');
    await rejectsWith(store.setMany([{ key: 'k', value: undefined }]), 'INVALID_VALUE');
    expect(await store.has('k')).toBe(false);
    await store.close();
  });

  it('setMany() with one bad entry stores none of them', async () => {
    const store = createMemoryStore();
    await rejectsWith(
      store.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: Number.NaN },
      ]),
      'INVALID_VALUE',
    );
    await rejectsWith(
      store.setMany([
        { key: 'a', value: 1 },
        { key: '', value: 2 },
      ]),
      'INVALID_KEY',
    );
    expect(await store.keys()).toEqual([]);
    await store.close();
  });

  it('stores on a shared backend are isolated by namespace', async () => {
    const backend = new MemoryBackend({ codec: jsonCodec });
    const a = createMemoryStore({ backend, namespace: 'a' });
    const a2 = createMemoryStore({ backend, namespace: 'a:' });
    const sameAsA = createMemoryStore({ backend, namespace: 'a' });
    const root = createMemoryStore({ backend });
    await a.set(':b', 'in a');
    await a2.set('b', 'in a:');
    await root.set('a::b', 'in root');
    expect(await a.get(':b')).toBe('in a');
    expect(await a2.get('b')).toBe('in a:');
    expect(await sameAsA.get(':b')).toBe('in a');
    expect(await a.keys()).toEqual([':b']);
    expect(await root.keys()).toEqual(['a::b']);
    await a.clear();
    expect(await sameAsA.has(':b')).toBe(false);
    expect(await a2.get('b')).toBe('in a:');
    expect(await root.get('a::b')).toBe('in root');
    // Closing a store leaves a backend it was given open for the others.
    await a2.close();
    expect(await root.get('a::b')).toBe('in root');
    expect(backend.stats().entries).toBe(2);
    await Promise.all([a.close(), sameAsA.close(), root.close()]);
    backend.close();
  });

  it('increment() is atomic and keeps the value an integer', async () => {
    const store = createMemoryStore();
    await Promise.all(Array.from({ length: 1000 }, () => store.increment('n')));
    expect(await store.get('n')).toBe(1000);
    await rejectsWith(store.increment('n', 1.5), 'INVALID_VALUE');
    await rejectsWith(store.increment('n', Number.NaN), 'INVALID_VALUE');
    await store.set('s', 'text');
    await rejectsWith(store.increment('s'), 'WRONG_TYPE');
    await store.close();
  });

  it('setIfAbsent() has exactly one winner among concurrent callers', async () => {
    const store = createMemoryStore();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.setIfAbsent('lock', i)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get('lock')).toBe(results.indexOf(true));
    await store.close();
  });

  it('get() never settles synchronously and never throws', async () => {
    const store = createMemoryStore();
    let settled = false;
    const promise = store.get('k').then(() => {
      settled = true;
    });
    expect(settled).toBe(false);
    await promise;
    expect(settled).toBe(true);
    expect(() => store.get(undefined as never).catch(() => {})).not.toThrow();
    await store.close();
  });

  it('malformed options reject with TypeError, not StateError', async () => {
    const store = createMemoryStore();
    const bad: [string, () => Promise<unknown>][] = [
      ['negative ttl', () => store.set('k', 1, { ttl: -1 })],
      ['zero ttl', () => store.set('k', 1, { ttl: 0 })],
      ['NaN ttl', () => store.set('k', 1, { ttl: Number.NaN })],
      ['infinite ttl', () => store.setIfAbsent('k', 1, { ttl: Number.POSITIVE_INFINITY })],
      ['string ttl', () => store.setMany([{ key: 'k', value: 1, ttl: '5' as never }])],
      ['zero timeout', () => store.get('k', { timeout: 0 })],
      ['huge timeout', () => store.get('k', { timeout: 2 ** 31 })],
      ['not a signal', () => store.get('k', { signal: 'x' as never })],
      ['null options', () => store.get('k', null as never)],
      // Silently ignored before: the caller expected a version check that never ran.
      ['setIfAbsent with ifVersion', () => store.setIfAbsent('k', 1, { ifVersion: 'v' } as never)],
    ];
    for (const [name, call] of bad) {
      const error = await caught(call());
      expect(error, name).toBeInstanceOf(TypeError);
    }
    expect(await store.has('k')).toBe(false);
    await store.close();
  });

  it('an aborted signal rejects ABORTED; maybeApplied false on writes, absent on reads', async () => {
    const store = createMemoryStore();
    const reason = new Error('gave up');
    const signal = AbortSignal.abort(reason);
    const write = await rejectsWith(store.set('k', 1, { signal }), 'ABORTED');
    expect(write.maybeApplied).toBe(false);
    expect(write.cause).toBe(reason);
    const read = await rejectsWith(store.get('k', { signal }), 'ABORTED');
    expect('maybeApplied' in read).toBe(false);
    expect(await store.has('k')).toBe(false);
    await store.close();
  });

  it('ttl expires values', async () => {
    const store = createMemoryStore();
    await store.set('k', 1, { ttl: 20 });
    await store.set('forever', 1);
    expect(await store.get('k')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.get('k')).toBeUndefined();
    expect(await store.keys()).toEqual(['forever']);
    await store.close();
  });

  it('close() is idempotent and later calls reject CLOSED', async () => {
    const store = createMemoryStore();
    await store.set('k', 1);
    const first = store.close();
    const second = store.close();
    await Promise.all([first, second]);
    await store.close();
    for (const call of [
      () => store.get('k'),
      () => store.set('k', 2),
      () => store.keys(),
      () => store.clear(),
      () => store.increment('k'),
    ]) {
      const error = await rejectsWith(call(), 'CLOSED');
      expect(error).toBeInstanceOf(StateError);
    }
  });

  it('the constructor throws TypeError for malformed options', () => {
    expect(() => createMemoryStore({ namespace: 1 as never })).toThrow(TypeError);
    expect(() => createMemoryStore({ namespace: '\ud800' })).toThrow(TypeError);
    expect(() => createMemoryStore({ timeout: 0 })).toThrow(TypeError);
    expect(() => createMemoryStore({ maxEntries: 0 })).toThrow(TypeError);
    // These were accepted, and failed later: a ttl write threw a plain TypeError, every
    // write of a codec-less store rejected INVALID_VALUE.
    expect(() => createMemoryStore({ now: 5 as never })).toThrow(/now/);
    expect(() => createMemoryStore({ codec: {} as never })).toThrow(/codec/);
    expect(() => createMemoryStore({ codec: { ...jsonCodec, decode: 1 } as never })).toThrow(
      TypeError,
    );
    expect(() => createMemoryStore({ backend: {} as never })).toThrow(/backend/);
    const clock = createMemoryStore({ now: () => 0, codec: jsonCodec });
    expect(clock.capabilities.ttl).toBe(true);
    void clock.close();
  });

  it('maxEntries evicts the least recently used entries', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.get('a');
    await store.set('c', 3);
    expect((await store.keys()).sort()).toEqual(['a', 'c']);
    await store.close();
  });

  it('keys() measures its answer as every client does: exactly maxReplyBytes fits, one byte more does not', async () => {
    // 100 keys of 10 characters: 8 bytes for the list and 1000 for the keys (wireBytes).
    const keys = Array.from({ length: 100 }, (_, i) => `key-${String(i).padStart(6, '0')}`);
    const fits = createMemoryStore({ maxValueBytes: 100, maxReplyBytes: 1008 });
    const over = createMemoryStore({ maxValueBytes: 100, maxReplyBytes: 1007 });
    for (const store of [fits, over]) await store.setMany(keys.map((key) => ({ key, value: 1 })));
    expect((await fits.keys()).sort()).toEqual(keys);
    await rejectsWith(over.keys(), 'TOO_LARGE');
    await fits.close();
    await over.close();
  });
});

describe('createMemoryStore() and the process lifetime', () => {
  beforeAll(async () => {
    // The child imports the built package, as an application would: build it (incremental,
    // next to nothing when dist is up to date).
    await run(process.execPath, [tscBin(), '-b'], { cwd: packageDir, timeout: 120_000 });
  }, 180_000);

  async function runScript(script: string) {
    const preamble =
      `import * as core from ${JSON.stringify(pathToFileURL(distIndex).href)};\n` +
      `import * as testing from ${JSON.stringify(pathToFileURL(distTesting).href)};\n`;
    // The bound is generous: the child must exit on its own, however busy the machine.
    return run(process.execPath, ['--input-type=module', '-e', preamble + script], {
      timeout: 30_000,
    });
  }

  it('close() leaves nothing that keeps the process alive', async () => {
    const { stdout } = await runScript(`
      const store = core.createMemoryStore({ sweepIntervalMs: 10 });
      await store.set('k', { n: 1 }, { ttl: 3_600_000 });
      await store.increment('n');
      await store.get('k');
      await store.close();
      console.log('closed');
    `);
    expect(stdout.trim()).toBe('closed');
  });

  it('a store that is never closed does not keep the process alive either', async () => {
    const { stdout } = await runScript(`
      const store = core.createMemoryStore();
      await store.set('k', 1, { ttl: 3_600_000 });
      console.log(await store.get('k'));
    `);
    expect(stdout.trim()).toBe('1');
  });

  it('a loopback host and store leave nothing alive after close()', async () => {
    const { stdout } = await runScript(`
      const host = testing.serveLoopback();
      const store = host.connect();
      await store.set('k', 1);
      const pending = store.get('k', { timeout: 3_600_000 });
      await store.close();
      await pending.catch((error) => console.log(error.code));
      host.close();
    `);
    expect(stdout.trim()).toBe('CLOSED');
  });
});

describe('memory store: refusals name the store and the operation', () => {
  it('a refusal of the holder (WRONG_TYPE, in a call and in a commit) says memory and the operation, with its code and maybeApplied', async () => {
    const store = createMemoryStore();
    await store.set('name', 'ada');
    const direct = await caught(store.increment('name' as never));
    expect(direct).toMatchObject({ code: 'WRONG_TYPE', maybeApplied: false });
    expect((direct as Error).message).toMatch(/^memory: increment\(\) failed: /);
    const commit = await caught(
      store
        .atomic()
        .increment('name' as never)
        .commit(),
    );
    expect(commit).toMatchObject({ code: 'WRONG_TYPE', maybeApplied: false });
    expect((commit as Error).message).toMatch(/^memory: atomic\(\) failed: /);
    expect(StateError.is(commit)).toBe(true);
    await store.close();
  });
});

function tscBin(): string {
  return fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
}
