// The published integrations as a user wires them, on the rehearsal's redis-server: Keyv
// (and through it cache-manager's store), express-rate-limit and express-session stores.
import { createKeyvStore } from '@statewire/keyv';
import { createRateLimitStore } from '@statewire/rate-limit';
import { createRedisStore } from '@statewire/redis';
import { createSessionStore } from '@statewire/session';
import session, { type SessionData } from 'express-session';
import Keyv from 'keyv';
import { afterAll, expect, it } from 'vitest';

const url = process.env.REDIS_URL;
const run = `rehearsal-${process.pid}`;
const stores = [
  createRedisStore({ url, namespace: `${run}:limits` }),
  createRedisStore({ url, namespace: `${run}:sessions` }),
];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
});

it('@statewire/keyv: a Keyv over Redis sets, gets, iterates and clears one namespace', async () => {
  const keyv = new Keyv({
    store: createKeyvStore({
      open: (namespace) => createRedisStore({ url, namespace: `${run}:${namespace}` }),
    }),
    namespace: 'cache',
  });
  await keyv.set('greeting', { text: 'hello' }, 60_000);
  expect(await keyv.get('greeting')).toEqual({ text: 'hello' });
  const keys: string[] = [];
  for await (const [key] of (keyv.iterator as unknown as () => AsyncIterable<[string, unknown]>)())
    keys.push(key);
  expect(keys).toEqual(['greeting']);
  await keyv.clear();
  expect(await keyv.get('greeting')).toBeUndefined();
  await keyv.disconnect();
});

it('@statewire/rate-limit: counts hits of a client in the current window', async () => {
  const limiter = createRateLimitStore({ store: stores[0] as (typeof stores)[0] });
  limiter.init({ windowMs: 60_000 });
  expect((await limiter.increment('127.0.0.1')).totalHits).toBe(1);
  const { totalHits, resetTime } = await limiter.increment('127.0.0.1');
  expect(totalHits).toBe(2);
  expect(resetTime?.getTime()).toBeGreaterThan(Date.now());
});

it('@statewire/session: stores a session and reads it back', async () => {
  const sessions = createSessionStore({ store: stores[1] as (typeof stores)[1] });
  expect(sessions).toBeInstanceOf(session.Store);
  const data = { cookie: new session.Cookie(), user: 'ada' } as SessionData & { user: string };
  data.cookie.maxAge = 60_000;
  await new Promise<void>((resolve, reject) =>
    sessions.set('sid', data, (e) => (e ? reject(e) : resolve())),
  );
  const back = await new Promise((resolve, reject) =>
    sessions.get('sid', (e, value) => (e ? reject(e) : resolve(value))),
  );
  expect(back).toMatchObject({ user: 'ada' });
});
