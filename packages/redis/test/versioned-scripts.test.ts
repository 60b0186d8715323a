/**
 * The Lua scripts of the versioned layout, run with EVAL on the real standalone test server
 * through a plain ioredis client: the increment script and the atomic-commit script.
 */

import { msgpackCodec } from '@statewire/core/msgpack';
import { MutationKind, type WireCheck, type WireMutation } from '@statewire/core/transport';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ATOMIC_LUA, atomicScriptArgs, readCommitReply } from '../src/atomic-script.js';
import { INCREMENT_LUA } from '../src/increment-script.js';
import { RedisKeyLayout } from '../src/redis-key.js';
import { redisValueCodec } from '../src/redis-value-codec.js';
import { VersionGenerator } from '../src/version-generator.js';
import {
  payloadOf,
  UNVERSIONED,
  VERSION_MARKER,
  versionedValue,
  versionOf,
} from '../src/versioned-value.js';
import { uniqueNamespace } from './support/stores.js';

const codec = redisValueCodec(msgpackCodec);
let redis: Redis;
let layout: RedisKeyLayout;
const versions = new VersionGenerator();

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  await redis.ping();
});
afterAll(() => redis.disconnect());

function fresh(): void {
  layout = new RedisKeyLayout('statewire:', uniqueNamespace());
}

async function stored(key: string): Promise<Buffer | null> {
  return redis.getBuffer(layout.toRedis(key));
}

async function read(key: string): Promise<{ value: unknown; version: string } | undefined> {
  const bytes = await stored(key);
  if (bytes === null) return undefined;
  return { value: codec.decode(payloadOf(bytes)), version: versionOf(bytes) };
}

async function write(key: string, value: unknown, ttl = 0): Promise<string> {
  const version = versions.next();
  const bytes = versionedValue(version, codec.encode(value));
  if (ttl > 0) await redis.set(layout.toRedis(key), bytes, 'PX', ttl);
  else await redis.set(layout.toRedis(key), bytes);
  return version;
}

function increment(key: string, by: number, ttl = 0): Promise<unknown> {
  return redis.eval(
    INCREMENT_LUA,
    1,
    layout.toRedis(key),
    String(by),
    String(ttl),
    versions.next(),
  );
}

async function commit(checks: WireCheck[], mutations: WireMutation[]) {
  const { keys, args } = atomicScriptArgs(checks, mutations, layout, versions);
  const reply = await redis.eval(ATOMIC_LUA, keys.length, ...keys, ...args);
  return readCommitReply(reply, checks);
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error reply');
}

const set = (key: string, value: unknown, ttl = 0): WireMutation => [
  MutationKind.set,
  key,
  codec.encode(value),
  ttl,
];
const del = (key: string): WireMutation => [MutationKind.delete, key];
const inc = (key: string, by: number): WireMutation => [MutationKind.increment, key, by];

describe('the versioned increment script', () => {
  it('increment creates a missing key as a versioned decimal and replies the decimal string', async () => {
    fresh();
    expect(await increment('n', 5)).toBe('5');
    const bytes = (await stored('n')) as Buffer;
    expect(bytes[0]).toBe(VERSION_MARKER);
    expect(await read('n')).toEqual({ value: 5, version: versionOf(bytes) });
  });

  it('increment writes a new version every time', async () => {
    fresh();
    const seen = new Set<string>();
    for (let i = 1; i <= 50; i++) {
      expect(await increment('n', 1)).toBe(String(i));
      seen.add(((await read('n')) as { version: string }).version);
    }
    expect(seen.size).toBe(50);
  });

  it('increment reads a decimal written by the previous release', async () => {
    fresh();
    await redis.set(layout.toRedis('old'), '41');
    expect(await increment('old', 1)).toBe('42');
    const entry = await read('old');
    expect(entry?.value).toBe(42);
    expect(entry?.version).not.toBe(UNVERSIONED);
  });

  it('increment applies the ttl only when it creates the key, and keeps an expiry', async () => {
    fresh();
    await increment('created', 1, 60_000);
    expect(await redis.pttl(layout.toRedis('created'))).toBeGreaterThan(0);
    await write('plain', 1);
    await increment('plain', 1, 60_000);
    expect(await redis.pttl(layout.toRedis('plain'))).toBe(-1);
    await write('expiring', 1, 60_000);
    await increment('expiring', 1);
    expect(await redis.pttl(layout.toRedis('expiring'))).toBeGreaterThan(0);
  });

  it('increment of a value that is not a safe integer is WRONGTYPE and changes nothing', async () => {
    fresh();
    for (const value of ['text', '7', 1.5, null, { a: 1 }]) {
      const version = await write('x', value);
      expect(await errorOf(increment('x', 1))).toMatch(/^WRONGTYPE/);
      expect(await read('x')).toEqual({ value, version });
    }
    // The previous release's marked values, and foreign text, too.
    await redis.set(layout.toRedis('old'), Buffer.from(codec.encode('7') as Uint8Array));
    expect(await errorOf(increment('old', 1))).toMatch(/^WRONGTYPE/);
    for (const raw of ['007', '-0', '1e3', ' 1', '9007199254740993', '1'.repeat(40)]) {
      await redis.set(layout.toRedis('raw'), raw);
      expect(await errorOf(increment('raw', 1)), raw).toMatch(/^WRONGTYPE/);
      expect(await redis.get(layout.toRedis('raw'))).toBe(raw);
    }
    await redis.hset(layout.toRedis('hash'), 'f', '1');
    expect(await errorOf(increment('hash', 1))).toMatch(/^WRONGTYPE/);
  });

  it('increment keeps the safe range exactly and writes nothing past it', async () => {
    fresh();
    await write('n', Number.MAX_SAFE_INTEGER - 1);
    expect(await increment('n', 1)).toBe('9007199254740991');
    const before = await read('n');
    expect(await errorOf(increment('n', 1))).toMatch(/^STATEWIRE_RANGE/);
    expect(await read('n')).toEqual(before);
    await write('low', Number.MIN_SAFE_INTEGER + 1);
    expect(await increment('low', -1)).toBe('-9007199254740991');
    expect(await errorOf(increment('low', -1))).toMatch(/^STATEWIRE_RANGE/);
    expect(await errorOf(increment('new', Number.MAX_SAFE_INTEGER + 2))).toMatch(
      /^STATEWIRE_RANGE/,
    );
    expect(await stored('new')).toBeNull();
  });
});

describe('the atomic commit script', () => {
  it('atomic applies every mutation in order when every check passes', async () => {
    fresh();
    const a = await write('a', 'old');
    const result = await commit(
      [
        ['a', a],
        ['b', null],
      ],
      [set('a', 'new'), set('b', 1), inc('b', 2), inc('c', 5), set('gone', 1), del('gone')],
    );
    expect(result[0]).toBe(true);
    const replied = result[1] as (string | null)[];
    expect(replied).toHaveLength(6);
    expect(replied[5]).toBeNull();
    expect(new Set(replied.slice(0, 5)).size).toBe(5);
    expect(await read('a')).toEqual({ value: 'new', version: replied[0] });
    expect(await read('b')).toEqual({ value: 3, version: replied[2] });
    expect(await read('c')).toEqual({ value: 5, version: replied[3] });
    expect(await stored('gone')).toBeNull();
  });

  it('atomic with a failed check writes nothing and names the failed keys once', async () => {
    fresh();
    const a = await write('a', 1);
    await write('b', 2);
    const stale = versions.next();
    const result = await commit(
      [
        ['a', a],
        ['b', stale],
        ['b', null],
        ['missing', stale],
      ],
      [set('a', 10), inc('b', 1), del('a'), set('new', 1)],
    );
    expect(result).toEqual([false, ['b', 'missing']]);
    expect(await read('a')).toEqual({ value: 1, version: a });
    expect((await read('b'))?.value).toBe(2);
    expect(await stored('new')).toBeNull();
  });

  it('atomic checks: null means missing, the empty string is a version that never matches', async () => {
    fresh();
    expect(await commit([['k', '']], [set('k', 1)])).toEqual([false, ['k']]);
    const created = await commit([['k', null]], [set('k', 1)]);
    expect(created[0]).toBe(true);
    expect(await commit([['k', null]], [set('k', 2)])).toEqual([false, ['k']]);
    const version = (created[1] as string[])[0] as string;
    const updated = await commit([['k', version]], [set('k', 2)]);
    expect(updated[0]).toBe(true);
    // The old version no longer matches (the value changed).
    expect(await commit([['k', version]], [del('k')])).toEqual([false, ['k']]);
  });

  it('atomic checks a value of the previous release against UNVERSIONED', async () => {
    fresh();
    await redis.set(layout.toRedis('old'), Buffer.from(codec.encode('legacy') as Uint8Array));
    expect(await commit([['old', versions.next()]], [set('old', 1)])).toEqual([false, ['old']]);
    const result = await commit([['old', UNVERSIONED]], [set('old', 'new')]);
    expect(result[0]).toBe(true);
    expect((await read('old'))?.version).toBe((result[1] as string[])[0]);
  });

  it('atomic validates every increment before writing anything (WRONGTYPE, nothing applied)', async () => {
    fresh();
    const text = await write('text', 'x');
    const n = await write('n', 1);
    expect(await errorOf(commit([], [set('a', 1), inc('n', 1), inc('text', 1)]))).toMatch(
      /^WRONGTYPE/,
    );
    // A set earlier in the same commit decides the type an increment sees.
    expect(await errorOf(commit([], [inc('n', 1), set('n', 'x'), inc('n', 1)]))).toMatch(
      /^WRONGTYPE/,
    );
    expect(await stored('a')).toBeNull();
    expect(await read('n')).toEqual({ value: 1, version: n });
    expect(await read('text')).toEqual({ value: 'x', version: text });
  });

  it('atomic increments see the mutations before them, and the range is checked across them', async () => {
    fresh();
    const n = await write('n', 1);
    const ok = await commit([], [set('t', 'x'), set('t', 5), inc('t', 2), inc('t', 3)]);
    expect(ok[0]).toBe(true);
    expect((await read('t'))?.value).toBe(10);
    const recreated = await commit([], [inc('n', 1), del('n'), inc('n', 7)]);
    expect(recreated[0]).toBe(true);
    expect((await read('n'))?.value).toBe(7);
    const before = await read('n');
    const big = Number.MAX_SAFE_INTEGER - 10;
    expect(await errorOf(commit([], [set('a', 1), inc('n', big), inc('n', big)]))).toMatch(
      /^STATEWIRE_RANGE/,
    );
    expect(await read('n')).toEqual(before);
    expect(await stored('a')).toBeNull();
    expect(before?.version).not.toBe(n);
  });

  it('atomic set applies its ttl; an increment keeps the expiry it finds', async () => {
    fresh();
    await commit([], [set('s', 1, 60_000), inc('s', 1), set('plain', 1)]);
    expect(await redis.pttl(layout.toRedis('s'))).toBeGreaterThan(0);
    expect((await read('s'))?.value).toBe(2);
    await write('p', 1, 60_000);
    await commit([], [set('p', 5)]);
    expect(await redis.pttl(layout.toRedis('p'))).toBe(-1);
    expect(await redis.pttl(layout.toRedis('plain'))).toBe(-1);
  });

  it('atomic with checks only writes nothing and replies ok', async () => {
    fresh();
    const a = await write('a', 1);
    expect(await commit([['a', a]], [])).toEqual([true, []]);
    expect(await read('a')).toEqual({ value: 1, version: a });
  });

  it('readCommitReply() refuses replies the script never sends, with PROTOCOL', () => {
    for (const reply of [null, [], [2], [0], [0, 5], [1, 3], 'OK']) {
      expect(() => readCommitReply(reply, [['k', null]])).toThrow(/cannot read/);
    }
  });
});
