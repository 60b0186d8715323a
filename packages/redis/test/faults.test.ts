/**
 * docs/reliability.md section E (29–35) on real redis-server processes: down at start, stalled,
 * killed and restarted under load, AOF durability, refused credentials, a prefix-limited
 * ACL user. After each test the setup file checks that nothing is pending and no rejection
 * went unhandled. No test asserts how long anything took; "on time" means "rejected with
 * TIMEOUT (not hung)", within the test's own generous timeout.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateError } from '@statewire/core';
import { adoptRedisServer, freePort, startRedisServer } from '@statewire/test-redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore, type RedisStore, safeRedisOptions } from '../src/index.js';
import { rejection, sleep, track, uniqueNamespace, whenReachable } from './support/stores.js';

async function settled(calls: Promise<unknown>[]): Promise<StateError[]> {
  const results = await Promise.allSettled(calls);
  return results.map((result) => {
    expect(result.status).toBe('rejected');
    const reason = (result as PromiseRejectedResult).reason;
    expect(StateError.is(reason), String(reason)).toBe(true);
    return reason as StateError;
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The command rules of the two users the README's ACL section gives (after the key pattern):
 * `[name, rules]` for its minimal and its broader `ACL SETUSER` line.
 */
function documentedAclRules(): [string, string[]][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const lines = readme.match(/ACL SETUSER app on [^\n`]*/g) ?? [];
  expect(lines).toHaveLength(2);
  return lines.map((line, index) => {
    const rules = line
      .split(/\s+/)
      .slice(line.split(/\s+/).findIndex((w) => w.startsWith('~')) + 1);
    return [index === 0 ? 'minimal' : 'broader', rules];
  });
}

/** Every operation of a store, including calls merged into one `MGET` or `MSET`. */
async function runsEveryOperation(store: RedisStore): Promise<void> {
  await store.set('a', { x: 1 });
  await store.set('t', 1, { ttl: 60_000 });
  expect(await store.get('a')).toEqual({ x: 1 });
  expect(await store.has('a')).toBe(true);
  expect(await store.increment('t', 2)).toBe(3);
  expect(await store.setIfAbsent('lock', 1, { ttl: 60_000 })).toBe(true);
  await store.setMany([
    { key: 'm1', value: 1 },
    { key: 'm2', value: 2, ttl: 60_000 },
  ]);
  await store.setMany([
    { key: 'p1', value: 1 },
    { key: 'p2', value: 2 },
  ]);
  expect(await store.getMany(['m1', 'm2', 'p1', 'none'])).toEqual([1, 2, 1, undefined]);
  // Calls issued together go out as one batch: sets without ttl share one MSET, gets one MGET.
  expect(
    await Promise.all([
      store.set('b1', 1),
      store.set('b3', 3),
      store.get('m1'),
      store.get('p2'),
      store.set('b2', 2, { ttl: 60_000 }),
    ]),
  ).toEqual([undefined, undefined, 1, 2, undefined]);
  expect(await Promise.all([store.get('b1'), store.get('b2'), store.get('b3')])).toEqual([1, 2, 3]);
  await store.deleteMany(['b1', 'b2', 'b3', 'p1', 'p2']);
  expect((await store.keys()).sort()).toEqual(['a', 'lock', 'm1', 'm2', 't']);
  expect(await store.keys('m')).toHaveLength(2);
  expect(await store.deleteMany(['m1', 'm2'])).toBe(2);
  const a = await store.getEntry('a');
  expect(a?.value).toEqual({ x: 1 });
  await store.set('a', { x: 2 }, { ifVersion: a?.version ?? null });
  const commit = await store.atomic().set('c', 1).increment('t', 1).delete('lock').commit();
  expect(commit.ok).toBe(true);
  expect(await store.delete('a')).toBe(true);
  await store.clear();
  expect(await store.keys()).toEqual([]);
}

describe('redis faults', () => {
  it('a database the server does not have (url /99): calls reject BACKEND and nothing is written to database 0', async () => {
    const raw = new Redis(inject('redisUrl'));
    try {
      const namespace = uniqueNamespace();
      const store = track(
        createRedisStore({ url: `${inject('redisUrl')}/99`, timeout: 60_000, namespace }),
      );
      const [first, second] = await settled([store.set('k', 1), store.increment('n')]);
      for (const error of [first, second]) {
        expect(error?.code).toBe('BACKEND');
        expect(error?.message).toMatch(/database/);
        expect(error?.maybeApplied).toBe(false);
      }
      const later = await rejection(store.get('k'), 'BACKEND');
      expect(later.message).toMatch(/DB index is out of range/);
      expect(await raw.keys(`*${namespace}*`)).toEqual([]);
      expect(store.stats().pending).toBe(0);
    } finally {
      raw.disconnect();
    }
  });

  it('a Unix socket path that is not there rejects UNAVAILABLE at once, with the connection error as cause', async () => {
    const path = join(tmpdir(), `statewire-no-such-${randomUUID()}.sock`);
    const store = track(
      createRedisStore({ redisOptions: { path }, timeout: 60_000, namespace: uniqueNamespace() }),
    );
    const [get, set] = await settled([store.get('k'), store.set('k', 1)]);
    for (const error of [get, set]) {
      expect(error?.code).toBe('UNAVAILABLE');
      expect((error?.cause as { code?: string } | undefined)?.code).toBe('ENOENT');
    }
    expect(set?.maybeApplied).toBe(false);
    expect(store.stats().pending).toBe(0);
  });

  it('Redis down at start: first calls reject UNAVAILABLE (not sent), then the store connects by itself', async () => {
    const port = await freePort();
    const store = track(
      createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        timeout: 300,
        namespace: uniqueNamespace(),
      }),
    );
    const [get, set, increment] = await settled([
      store.get('k'),
      store.set('k', 1),
      store.increment('n'),
    ]);
    for (const error of [get, set, increment]) expect(error?.code).toBe('UNAVAILABLE');
    expect('maybeApplied' in (get as StateError)).toBe(false);
    expect(set?.maybeApplied).toBe(false);
    expect(increment?.maybeApplied).toBe(false);
    expect(store.stats().pending).toBe(0);

    const server = await startRedisServer({ port });
    try {
      await whenReachable(() => store.set('k', 1, { timeout: 15_000 }));
      expect(await store.get('k')).toBe(1);
      // The calls that timed out while Redis was down were never sent, and never will be.
      expect(await store.get('n')).toBeUndefined();
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('a stalled Redis (SIGSTOP) gives TIMEOUT on time; after SIGCONT the same store recovers', async () => {
    const server = await startRedisServer();
    const store = track(
      createRedisStore({ url: server.url, timeout: 400, namespace: uniqueNamespace() }),
    );
    try {
      await store.set('k', 1);
      server.signal('SIGSTOP');
      const [get, set, increment] = await settled([
        store.get('k'),
        store.set('k', 2),
        store.increment('n'),
      ]);
      for (const error of [get, set, increment]) expect(error?.code).toBe('TIMEOUT');
      expect(set?.maybeApplied).toBe(true);
      expect(increment?.maybeApplied).toBe(true);
      expect('maybeApplied' in (get as StateError)).toBe(false);
    } finally {
      server.signal('SIGCONT');
    }
    // The stalled commands were sent: they apply late, exactly once.
    expect(await store.get('k', { timeout: 10_000 })).toBe(2);
    expect(await store.get('n')).toBe(1);
    await until('late replies to drain', () => store.stats().inflight === 0);
    await store.close();
    await server.stop();
  });

  it('kill -9 and restart under load: nothing hangs, the store recovers, no increment applies twice', async () => {
    const server = await startRedisServer({ aof: true });
    const store = track(
      createRedisStore({ url: server.url, timeout: 1500, namespace: uniqueNamespace() }),
    );
    let acknowledged = 0;
    let maybeApplied = 0;
    let notApplied = 0;
    const codes = new Set<string>();
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 150; i++) {
        try {
          await store.increment('counter');
          acknowledged++;
        } catch (error) {
          expect(StateError.is(error)).toBe(true);
          codes.add((error as StateError).code);
          if ((error as StateError).maybeApplied) maybeApplied++;
          else notApplied++;
        }
      }
    };
    try {
      const workers = Array.from({ length: 16 }, () => worker());
      await until('300 acknowledged increments', () => acknowledged >= 300);
      await server.kill();
      await sleep(300);
      await server.restart();
      await Promise.all(workers);
      const final = (await whenReachable(() =>
        store.get('counter', { timeout: 15_000 }),
      )) as number;
      expect(acknowledged + maybeApplied + notApplied).toBe(16 * 150);
      expect(maybeApplied + notApplied, 'the kill hit some calls').toBeGreaterThan(0);
      // UNAVAILABLE: made while a reconnection attempt had just failed, never sent.
      expect(
        [...codes].every((code) => ['CONNECTION_LOST', 'TIMEOUT', 'UNAVAILABLE'].includes(code)),
      ).toBe(true);
      expect(final).toBeGreaterThanOrEqual(acknowledged);
      expect(final).toBeLessThanOrEqual(acknowledged + maybeApplied);
      // Recovered without recreating the store.
      expect(await store.increment('counter')).toBe(final + 1);
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('acknowledged writes survive kill -9 and restart with AOF appendfsync always', async () => {
    const server = adoptRedisServer(inject('aofServer'));
    const store = track(
      createRedisStore({ url: server.url, namespace: uniqueNamespace(), persistent: true }),
    );
    expect(store.capabilities.persistent).toBe(true);
    const entries = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: { i } }));
    await store.setMany(entries);
    for (let i = 0; i < 50; i++) await store.increment('n');
    await store.set('bytes', Buffer.from([0, 0xc1, 255]));
    await server.kill();
    await server.restart();
    const values = await whenReachable(() =>
      store.getMany(
        entries.map((entry) => entry.key),
        { timeout: 15_000 },
      ),
    );
    expect(values).toEqual(entries.map((entry) => entry.value));
    expect(await store.get('n')).toBe(50);
    expect(await store.get('bytes')).toStrictEqual(Buffer.from([0, 0xc1, 255]));
  });

  it('keys with lone surrogates reject INVALID_KEY before any I/O', async () => {
    // Nothing listens on this port: a call that reached I/O would time out instead.
    const port = await freePort();
    const store = track(
      createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        timeout: 60_000,
        namespace: uniqueNamespace(),
      }),
    );
    for (const key of ['\ud800', 'a\udc00b', '\udc00\ud800']) {
      await rejection(store.get(key), 'INVALID_KEY');
      await rejection(store.set(key, 1), 'INVALID_KEY');
      await rejection(store.deleteMany(['ok', key]), 'INVALID_KEY');
    }
    expect(store.stats().pending).toBe(0);
  });
});

describe('redis security', () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(inject('redisUrl'));
  });
  afterAll(() => raw.disconnect());

  function urlFor(user: string, password: string): string {
    const url = new URL(inject('redisUrl'));
    url.username = user;
    url.password = password;
    return url.href;
  }

  async function authFailures(user: string): Promise<number> {
    const log = (await raw.call('ACL', 'LOG')) as unknown[][];
    let count = 0;
    for (const entry of log) {
      const fields = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(entry[i], entry[i + 1]);
      if (fields.get('username') === user && fields.get('reason') === 'auth') {
        count += Number(fields.get('count'));
      }
    }
    return count;
  }

  it('a wrong password rejects AUTH quickly, with a bounded number of attempts', async () => {
    const user = `sw-auth-${randomUUID()}`;
    await raw.call('ACL', 'SETUSER', user, 'on', '>right', '~*', '+@all');
    try {
      // A timeout far above anything an AUTH failure needs: AUTH, not TIMEOUT, is the proof.
      const store = track(createRedisStore({ url: urlFor(user, 'wrong-pw'), timeout: 30_000 }));
      const error = await rejection(store.get('k'), 'AUTH');
      expect(error.message).not.toContain('wrong-pw');
      expect(JSON.stringify(error.cause)).not.toContain('wrong-pw');
      const write = await rejection(store.set('k', 1), 'AUTH');
      expect(write.maybeApplied).toBe(false);
      await sleep(1500);
      await rejection(store.increment('k'), 'AUTH');
      // The store's own client stops after the refusal instead of retrying in a loop.
      expect(await authFailures(user)).toBeLessThanOrEqual(2);

      const client = new Redis(urlFor(user, 'wrong-pw'), { ...safeRedisOptions });
      const injected = track(createRedisStore({ client, closeClient: true, timeout: 30_000 }));
      await rejection(injected.get('k'), 'AUTH');
    } finally {
      await raw.call('ACL', 'DELUSER', user);
    }
  });

  // Both users of the README's ACL section, with its command rules exactly as written there.
  for (const [name, rules] of documentedAclRules()) {
    it(`an ACL user limited to ~prefix* with the README's ${name} rules runs every operation`, async () => {
      const id = randomUUID();
      const user = `sw-acl-${id}`;
      const prefix = `acl-${id}:`;
      await raw.call('ACL', 'SETUSER', user, 'on', '>pw', 'resetkeys', `~${prefix}*`, ...rules);
      try {
        const url = urlFor(user, 'pw');
        const store = track(createRedisStore({ url, prefix, namespace: 'ns' }));
        await runsEveryOperation(store);

        const outside = track(createRedisStore({ url, prefix: 'elsewhere:' }));
        const denied = await rejection(outside.set('k', 1), 'NOPERM');
        expect(denied.maybeApplied).toBe(false);
        await rejection(outside.get('k'), 'NOPERM');
      } finally {
        await raw.call('ACL', 'DELUSER', user);
      }
    });
  }

  it('an ACL user limited to ~prefix* runs every operation on the Cluster too', async () => {
    const id = randomUUID();
    const user = `sw-acl-${id}`;
    const prefix = `acl-${id}:`;
    const nodes = inject('clusterNodes').map((node) => new Redis(node.port, node.host));
    // The README's minimal user, plus what it says a Cluster client also needs.
    const [, minimal] = documentedAclRules()[0] as [string, string[]];
    const acl = [
      'on',
      '>pw',
      'resetkeys',
      `~${prefix}*`,
      ...minimal,
      ...['+cluster|slots', '+cluster|info'],
    ];
    try {
      await Promise.all(nodes.map((node) => node.call('ACL', 'SETUSER', user, ...acl)));
      const store = track(
        createRedisStore({
          cluster: {
            nodes: inject('clusterNodes'),
            options: { redisOptions: { username: user, password: 'pw' } },
          },
          prefix,
        }),
      );
      await store.setMany(Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: i })));
      expect(await store.getMany(['k1', 'k29'])).toEqual([1, 29]);
      expect(await store.increment('k1')).toBe(2);
      expect(await store.setIfAbsent('lock', 1)).toBe(true);
      const entry = await store.getEntry('k1');
      await store.set('k1', 3, { ifVersion: entry?.version ?? null });
      expect(await store.getEntries(['k1'])).toEqual([{ value: 3, version: expect.any(String) }]);
      expect(await store.keys()).toHaveLength(31);
      expect(await store.deleteMany(['k1', 'k2'])).toBe(2);
      await store.clear();
      expect(await store.keys()).toEqual([]);
    } finally {
      await Promise.all(nodes.map((node) => node.call('ACL', 'DELUSER', user)));
      for (const node of nodes) node.disconnect();
    }
  });
});
