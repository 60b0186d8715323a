import { createMemoryStore, jsonCodec, MAX_VALUE_DEPTH, StateError } from '@statewire/core';
import { msgpackCodec } from '@statewire/core/msgpack';
import { MemoryBackend } from '@statewire/core/transport';
import session, { type SessionData } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { StatewireSessionStore } from '../src/index.js';

// A store whose clock the test moves: expiry is checked without waiting.
let clock = 0;
const backends: MemoryBackend[] = [];
function sessionStore(options: { prefix?: string; ttl?: number } = {}) {
  const backend = new MemoryBackend({ codec: jsonCodec, now: () => clock });
  backends.push(backend);
  const store = createMemoryStore({ backend, namespace: 'sessions' });
  return { store, sessions: new StatewireSessionStore({ store, ...options }) };
}
afterEach(() => {
  for (const backend of backends.splice(0)) backend.close();
});

/** A session as express-session hands it to a store: a live Cookie with a maxAge. */
function sessionData(maxAge: number | null, extra: Record<string, unknown> = {}): SessionData {
  const cookie = new session.Cookie();
  if (maxAge !== null) cookie.maxAge = maxAge;
  return { cookie, ...extra } as SessionData;
}

/** Calls a callback-style store method and resolves (or rejects) with its outcome. */
function call<T>(
  run: (callback: (error: unknown, result?: T) => void) => void,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    run((error, result) => (error ? reject(error) : resolve(result)));
  });
}

describe('StatewireSessionStore', () => {
  it('get() reads back what set() stored, as express-session MemoryStore does (JSON round trip)', async () => {
    const { sessions } = sessionStore();
    const memory = new session.MemoryStore();
    const data = sessionData(60_000, {
      user: 'ada',
      since: new Date(1_700_000_000_000),
      gone: undefined,
    });
    await call((cb) => sessions.set('sid', data, cb));
    await call((cb) => memory.set('sid', data, cb));
    const ours = await call<SessionData | null>((cb) => sessions.get('sid', cb));
    const theirs = await call<SessionData | null>((cb) => memory.get('sid', cb));
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({ user: 'ada', since: '2023-11-14T22:13:20.000Z' });
    expect(typeof (ours as { cookie: { expires: unknown } }).cookie.expires).toBe('string');
  });

  it('a session holding a lone surrogate is stored on a msgpack store too, and reads back as MemoryStore gives it', async () => {
    // express.json() turns "\ud800" in a request body into a lone surrogate; msgpack, whose
    // strings are UTF-8, refuses one.
    const store = createMemoryStore({ codec: msgpackCodec, namespace: 'sessions' });
    const sessions = new StatewireSessionStore({ store });
    const memory = new session.MemoryStore();
    const data = sessionData(60_000, { name: 'a\ud800b', literal: 'not an escape: \\ud800' });
    await call((cb) => sessions.set('sid', data, cb));
    await call((cb) => memory.set('sid', data, cb));
    const ours = await call<SessionData | null>((cb) => sessions.get('sid', cb));
    expect(ours).toEqual(await call<SessionData | null>((cb) => memory.get('sid', cb)));
    expect((ours as unknown as { name: string }).name).toBe('a\ud800b');
    const all = await call<Record<string, SessionData>>((cb) => sessions.all(cb));
    expect(all?.sid).toEqual(ours);
    await call((cb) => sessions.touch('sid', data, cb));
    expect(await call((cb) => sessions.get('sid', cb))).toEqual(ours);
    // A session without one is stored as an object, as before.
    await call((cb) => sessions.set('plain', sessionData(60_000, { literal: '\\ud800' }), cb));
    expect(await store.get('sess:plain')).toMatchObject({ literal: '\\ud800', cookie: {} });
    await store.close();
  });

  // express.json() parses whatever a client sent: an own "__proto__" key (msgpackr renames
  // it, so the msgpack codec refuses it) or nesting past MAX_VALUE_DEPTH (every codec
  // refuses it). express-session saves after the response, so such a session was silently
  // lost on ipc-msgpack and Redis.
  for (const [codecName, codec] of [
    ['json', jsonCodec],
    ['msgpack', msgpackCodec],
  ] as const) {
    it(`a session holding a request body with a "__proto__" key, or nested past MAX_VALUE_DEPTH, is stored on a ${codecName} store and reads back as MemoryStore gives it`, async () => {
      const store = createMemoryStore({ codec, namespace: 'sessions' });
      const sessions = new StatewireSessionStore({ store });
      const memory = new session.MemoryStore();
      const bodies = {
        proto: '{"theme":"dark","__proto__":{"x":1}}',
        nestedProto: '{"a":[{"__proto__":null}]}',
        deep: `${'['.repeat(MAX_VALUE_DEPTH + 1)}${']'.repeat(MAX_VALUE_DEPTH + 1)}`,
      };
      for (const [sid, body] of Object.entries(bodies)) {
        const data = sessionData(60_000, { prefs: JSON.parse(body) });
        await call((cb) => sessions.set(sid, data, cb));
        await call((cb) => memory.set(sid, data, cb));
        const ours = await call<SessionData | null>((cb) => sessions.get(sid, cb));
        expect(ours, sid).toEqual(await call<SessionData | null>((cb) => memory.get(sid, cb)));
        expect(JSON.stringify((ours as unknown as { prefs: unknown }).prefs), sid).toBe(body);
      }
      expect(Object.prototype).not.toHaveProperty('x');
      // A string that only mentions the key is stored as an object, as before.
      await call((cb) =>
        sessions.set('plain', sessionData(60_000, { note: '{"__proto__":1}' }), cb),
      );
      expect(await store.get('sess:plain')).toMatchObject({ note: '{"__proto__":1}' });
      await store.close();
    });
  }

  it('get() of a missing session passes null', async () => {
    const { sessions } = sessionStore();
    expect(await call((cb) => sessions.get('nobody', cb))).toBeNull();
  });

  it("set() expires the session with its cookie's maxAge", async () => {
    const { sessions } = sessionStore();
    await call((cb) => sessions.set('sid', sessionData(1000), cb));
    clock += 990;
    expect(await call((cb) => sessions.get('sid', cb))).not.toBeNull();
    clock += 20;
    expect(await call((cb) => sessions.get('sid', cb))).toBeNull();
  });

  it('set() of a cookie without maxAge keeps the session for the ttl option', async () => {
    const { sessions } = sessionStore({ ttl: 5000 });
    await call((cb) => sessions.set('sid', sessionData(null), cb));
    clock += 4990;
    expect(await call((cb) => sessions.get('sid', cb))).not.toBeNull();
    clock += 20;
    expect(await call((cb) => sessions.get('sid', cb))).toBeNull();
  });

  it('set() of an already expired cookie deletes the session', async () => {
    const { sessions, store } = sessionStore();
    await call((cb) => sessions.set('sid', sessionData(60_000), cb));
    const expired = sessionData(60_000);
    expired.cookie.expires = new Date(Date.now() - 1000);
    await call((cb) => sessions.set('sid', expired, cb));
    expect(await store.has('sess:sid')).toBe(false);
  });

  it('touch() restarts the lifetime, keeping the stored data', async () => {
    const { sessions } = sessionStore();
    await call((cb) => sessions.set('sid', sessionData(1000, { user: 'ada' }), cb));
    clock += 800;
    await call<void>((cb) =>
      sessions.touch('sid', sessionData(1000, { user: 'stale copy' }), () => cb(null)),
    );
    clock += 800;
    expect(await call((cb) => sessions.get('sid', cb))).toMatchObject({ user: 'ada' });
    clock += 250;
    expect(await call((cb) => sessions.get('sid', cb))).toBeNull();
  });

  it('touch() never brings back a destroyed session', async () => {
    const { sessions } = sessionStore();
    await call((cb) => sessions.set('sid', sessionData(1000, { user: 'ada' }), cb));
    await call((cb) => sessions.destroy('sid', cb));
    await call<void>((cb) =>
      sessions.touch('sid', sessionData(1000, { user: 'ada' }), () => cb(null)),
    );
    expect(await call((cb) => sessions.get('sid', cb))).toBeNull();
  });

  it('all(), length() and clear() cover the sessions under the prefix only', async () => {
    const { sessions, store } = sessionStore();
    await store.set('other', 'kept');
    for (const sid of ['a', 'b', '__proto__']) {
      await call((cb) => sessions.set(sid, sessionData(60_000, { user: sid }), cb));
    }
    expect(await call((cb) => sessions.length(cb))).toBe(3);
    const all = (await call((cb) => sessions.all(cb))) as Record<string, SessionData>;
    expect(Object.keys(all).sort()).toEqual(['__proto__', 'a', 'b']);
    expect(all.a).toMatchObject({ user: 'a' });
    await call((cb) => sessions.clear(cb));
    expect(await call((cb) => sessions.length(cb))).toBe(0);
    expect(await store.get('other')).toBe('kept');
  });

  it("all() and clear() cover more sessions than one getMany or deleteMany may carry (the store's maxBatchKeys)", async () => {
    const store = createMemoryStore({ maxBatchKeys: 4 });
    const sessions = new StatewireSessionStore({ store });
    const sids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    for (const sid of sids) {
      await call((cb) => sessions.set(sid, sessionData(60_000, { user: sid }), cb));
    }
    const all = (await call((cb) => sessions.all(cb))) as Record<string, SessionData>;
    expect(Object.keys(all).sort()).toEqual([...sids].sort());
    expect(all.s7).toMatchObject({ user: 's7' });
    await call((cb) => sessions.clear(cb));
    expect(await call((cb) => sessions.length(cb))).toBe(0);
    await store.close();
  });

  it('a failing store passes its StateError to the callback', async () => {
    const { sessions, store } = sessionStore();
    await store.close();
    const error = await call((cb) => sessions.get('sid', cb)).catch((e: unknown) => e);
    expect(StateError.is(error, 'CLOSED')).toBe(true);
    const setError = await call((cb) => sessions.set('sid', sessionData(1000), cb)).catch(
      (e: unknown) => e,
    );
    expect(StateError.is(setError, 'CLOSED')).toBe(true);
  });

  it('malformed options are TypeErrors naming the option', () => {
    const store = createMemoryStore();
    expect(() => new StatewireSessionStore(undefined as never)).toThrow(TypeError);
    expect(() => new StatewireSessionStore({} as never)).toThrow(/store/);
    expect(() => new StatewireSessionStore({ store, prefix: 1 as never })).toThrow(/prefix/);
    expect(() => new StatewireSessionStore({ store, ttl: 0 })).toThrow(/ttl/);
    expect(() => new StatewireSessionStore({ store, ttl: Number.NaN })).toThrow(/ttl/);
    // What a store is mistaken for (an ioredis client from connect-redis, a Map) is named;
    // before, it failed reading `capabilities.ttl` of undefined.
    const ioredisLike = { get() {}, set() {}, quit() {} };
    expect(() => new StatewireSessionStore({ store: ioredisLike as never })).toThrow(
      'store must be a statewire Store, got an object without close',
    );
    expect(() => new StatewireSessionStore({ store: new Map() as never })).toThrow(
      /statewire Store/,
    );
  });
});
