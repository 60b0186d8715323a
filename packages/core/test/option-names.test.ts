import { describe, expect, it } from 'vitest';
import { createMemoryStore, type Store } from '../src/index.js';
import { serveLoopback } from '../src/testing.js';
import { checkOptionNames, optionNames } from '../src/transport.js';

describe('checkOptionNames()', () => {
  const names = optionNames<{ ttl?: number; timeout?: number }>({ ttl: true, timeout: true });

  it('names the option it refuses and lists those taken; an unknown name set to undefined passes', () => {
    expect(() => checkOptionNames('x()', { tll: 5 }, names)).toThrow(
      new TypeError('x() takes no option "tll"; it takes ttl, timeout'),
    );
    expect(() => checkOptionNames('x()', { ifVersion: 'v' }, names)).toThrow(
      /takes no option "ifVersion"; only set\(\) and delete\(\) take ifVersion/,
    );
    expect(() => checkOptionNames('x()', { ttl: 5, tll: undefined }, names)).not.toThrow();
  });
});

describe('a call refuses an option it does not take, and applies nothing', () => {
  const misplaced: [string, (s: Store) => Promise<unknown>][] = [
    ['set() with tll', (s) => s.set('k', 2, { tll: 10 } as never)],
    ['increment() with ifVersion', (s) => s.increment('k', 1, { ifVersion: 'stale' } as never)],
    ['setIfAbsent() with ifVersion', (s) => s.setIfAbsent('k', 2, { ifVersion: 'x' } as never)],
    ['get() with ttl', (s) => s.get('k', { ttl: 5 } as never)],
    ['delete() with ttl', (s) => s.delete('k', { ttl: 5 } as never)],
    ['deleteMany() with ifVersion', (s) => s.deleteMany(['k'], { ifVersion: 'x' } as never)],
    ['scan() with limit', (s) => s.scan('', { limit: 5 } as never)],
    ['scanIterator() with cursor', (s) => s.scanIterator('', { cursor: 'x' } as never).next()],
    ['scanIterator() with options 5', (s) => s.scanIterator('', 5 as never).next()],
    [
      'a setMany() entry with ifVersion',
      (s) => s.setMany([{ key: 'k', value: 2, ifVersion: 'x' } as never]),
    ],
    [
      'atomic().set() with ifVersion',
      (s) =>
        s
          .atomic()
          .set('k', 2, { ifVersion: 'x' } as never)
          .commit(),
    ],
    [
      'atomic().set() with options 60000',
      (s) =>
        s
          .atomic()
          .set('k', 2, 60_000 as never)
          .commit(),
    ],
    [
      'commit() with ttl',
      (s) =>
        s
          .atomic()
          .set('k', 2)
          .commit({ ttl: 5 } as never),
    ],
  ];
  for (const [what, call] of misplaced) {
    it(what, async () => {
      const store = createMemoryStore();
      await store.set('k', 1);
      const error = await call(store).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(
        /^memory: .*(takes no option|takes no ifVersion|options must be)/,
      );
      expect(await store.get('k')).toBe(1);
      await store.close();
    });
  }

  it('the options a call takes are served, and one set to undefined asks for nothing', async () => {
    const store = createMemoryStore();
    await store.set('k', 1, { ttl: 60_000, ifVersion: null, timeout: 1000 });
    expect(await store.increment('k', 1, { ifVersion: undefined } as never)).toBe(2);
    expect((await store.scan('', { count: 5, cursor: undefined })).keys).toEqual(['k']);
    await store.close();
  });
});

describe('factories refuse options they do not take', () => {
  it('createMemoryStore() and serveLoopback(), nested engine options included', () => {
    expect(() => createMemoryStore({ namspace: 'x' } as never)).toThrow(
      /createMemoryStore\(\) takes no option "namspace"; it takes namespace,/,
    );
    expect(() => serveLoopback({ maxReplyBytes: 1 } as never)).toThrow(/"maxReplyBytes"/);
    expect(() => serveLoopback({ host: { maxPending: 1 } } as never)).toThrow(
      /serveLoopback\(\): host takes no option "maxPending"/,
    );
    expect(() => serveLoopback({ client: { maxReplyBytes: 1 } } as never)).toThrow(
      /serveLoopback\(\): client takes no option "maxReplyBytes"/,
    );
    const host = serveLoopback();
    expect(() => host.connect({ namepsace: 'x' } as never)).toThrow(/namepsace/);
    host.close();
  });
});
