import { describe, expectTypeOf, it } from 'vitest';
import {
  type CommitResult,
  type Entry,
  type KeyOf,
  type NumericKeyOf,
  StateError,
  type StateErrorCode,
  type Store,
  type ValuesOf,
  type VersionedEntry,
} from '../src/index.js';

interface Session {
  user: string;
  expires: number;
}

type Schema = {
  [k: `session:${string}`]: Session;
  [k: `count:${string}`]: number;
  hits: number;
  flags: string[];
  name: string;
  maybe: number | string;
  nullable: number | null;
};

declare const store: Store<Schema>;
declare const untyped: Store;

describe('Store<S> types', () => {
  it('get() of a typed key has the key type | undefined', () => {
    expectTypeOf(store.get('hits')).resolves.toEqualTypeOf<number | undefined>();
    expectTypeOf(store.get('flags')).resolves.toEqualTypeOf<string[] | undefined>();
  });

  it('get() of a template-literal key has the pattern type | undefined', () => {
    expectTypeOf(store.get('session:42')).resolves.toEqualTypeOf<Session | undefined>();
    expectTypeOf(store.get(`session:${'abc' as string}`)).resolves.toEqualTypeOf<
      Session | undefined
    >();
  });

  it('get() of an unknown key is a compile error', () => {
    // @ts-expect-error: not a key of the schema
    void store.get('nope');
    // @ts-expect-error: the pattern needs its prefix
    void store.get('sessions:42');
    // @ts-expect-error: not a key of the schema
    void store.has('nope');
    // @ts-expect-error: not a key of the schema
    void store.delete('session');
  });

  it('set() of the wrong type is a compile error', () => {
    void store.set('hits', 1);
    void store.set('session:1', { user: 'ada', expires: 0 });
    // @ts-expect-error: hits holds a number
    void store.set('hits', 'many');
    // @ts-expect-error: a Session needs both fields
    void store.set('session:1', { user: 'ada' });
    // @ts-expect-error: wrong field type
    void store.set('session:1', { user: 1, expires: 0 });
    // @ts-expect-error: not a key of the schema
    void store.set('other', 1);
  });

  it('set() takes SetOptions', () => {
    void store.set('hits', 1, { ttl: 1000, timeout: 50, signal: AbortSignal.timeout(10) });
    // @ts-expect-error: ttl is a number of ms
    void store.set('hits', 1, { ttl: '1s' });
  });

  it("getMany() of a key list resolves each key's type | undefined, position by position", () => {
    expectTypeOf(store.getMany(['hits'])).resolves.toEqualTypeOf<[number | undefined]>();
    expectTypeOf(store.getMany(['session:1', 'session:2'])).resolves.toEqualTypeOf<
      [Session | undefined, Session | undefined]
    >();
    expectTypeOf(store.getMany(['hits', 'flags', 'session:1'])).resolves.toEqualTypeOf<
      [number | undefined, string[] | undefined, Session | undefined]
    >();
    const tuple = ['name', 'hits'] as const;
    expectTypeOf(store.getMany(tuple)).resolves.toEqualTypeOf<
      [string | undefined, number | undefined]
    >();
    expectTypeOf(store.getMany([])).resolves.toEqualTypeOf<[]>();
    // @ts-expect-error: not a key of the schema
    void store.getMany(['hits', 'nope']);
  });

  it('getMany() of a key array resolves an array of the union', () => {
    const keys: ('hits' | 'flags')[] = ['hits', 'flags'];
    expectTypeOf(store.getMany(keys)).resolves.toEqualTypeOf<(number | string[] | undefined)[]>();
    const sessions: `session:${string}`[] = [];
    expectTypeOf(store.getMany(sessions)).resolves.toEqualTypeOf<(Session | undefined)[]>();
    const readonlyKeys: readonly 'hits'[] = ['hits'];
    expectTypeOf(store.getMany(readonlyKeys)).resolves.toEqualTypeOf<(number | undefined)[]>();
    expectTypeOf<ValuesOf<Schema, ['hits', 'name']>>().toEqualTypeOf<
      [number | undefined, string | undefined]
    >();
  });

  it("setIfAbsent() takes the key's value type and resolves a boolean", () => {
    expectTypeOf(
      store.setIfAbsent('session:9', { user: 'x', expires: 1 }),
    ).resolves.toEqualTypeOf<boolean>();
    // @ts-expect-error: hits holds a number
    void store.setIfAbsent('hits', 'x');
    // @ts-expect-error: a Session, not a number
    void store.setIfAbsent('session:9', 1);
  });

  it('the other methods have their documented result types', () => {
    expectTypeOf(store.delete('hits')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(store.has('session:1')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(store.keys('session:')).resolves.toEqualTypeOf<string[]>();
    expectTypeOf(store.clear()).resolves.toEqualTypeOf<void>();
    expectTypeOf(store.deleteMany(['hits', 'session:1'])).resolves.toEqualTypeOf<number>();
    expectTypeOf(store.close()).resolves.toEqualTypeOf<void>();
  });

  it('deleteMany() takes schema keys only, in a mutable or readonly array', () => {
    const keys = ['hits', 'session:1'] as const;
    expectTypeOf(store.deleteMany(keys)).resolves.toEqualTypeOf<number>();
    // @ts-expect-error: not a key of the schema
    void store.deleteMany(['hits', 'nope']);
    // @ts-expect-error: keys are strings
    void store.deleteMany([1]);
  });

  it('increment() takes keys whose value is a number, and only those', () => {
    expectTypeOf(store.increment('hits', 2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(store.increment('count:home')).resolves.toEqualTypeOf<number>();
    void store.increment('hits', 1, { ttl: 60_000, timeout: 50 });
    // @ts-expect-error: name holds a string
    void store.increment('name');
    // @ts-expect-error: a Session is not a number
    void store.increment('session:1');
    // @ts-expect-error: flags holds an array
    void store.increment('flags', 1, { ttl: 10 });
    // @ts-expect-error: maybe may hold a string, which increment rejects
    void store.increment('maybe');
    // @ts-expect-error: nullable may hold null, which increment rejects
    void store.increment('nullable');
    // @ts-expect-error: not a key of the schema
    void store.increment('nope');
    // @ts-expect-error: increment takes a number
    void store.increment('hits', '2');
    // @ts-expect-error: ttl is a number of ms
    void store.increment('hits', 1, { ttl: '1m' });
  });

  it('NumericKeyOf<S> is the keys whose value type is a number', () => {
    expectTypeOf<NumericKeyOf<Schema>>().toEqualTypeOf<'hits' | `count:${string}`>();
    expectTypeOf<NumericKeyOf<{ a?: number; b: string; c: unknown }>>().toEqualTypeOf<'a' | 'c'>();
    expectTypeOf<NumericKeyOf<Record<string, unknown>>>().toEqualTypeOf<string>();
    expectTypeOf<NumericKeyOf<{ [k: string]: number }>>().toEqualTypeOf<string>();
  });

  it('setMany() entries take each key with its own value type', () => {
    void store.setMany([
      { key: 'hits', value: 1 },
      { key: 'name', value: 'ada' },
      { key: 'flags', value: ['a'] },
      { key: 'session:1', value: { user: 'a', expires: 1 }, ttl: 10 },
      { key: 'count:x', value: 3 },
    ]);
    const entries: readonly Entry<Schema>[] = [{ key: 'hits', value: 2 }];
    void store.setMany(entries);
    // @ts-expect-error: not a key of the schema
    void store.setMany([{ key: 'nope', value: 1 }]);
    // @ts-expect-error: no key of the schema holds a boolean
    void store.setMany([{ key: 'hits', value: true }]);
    // @ts-expect-error: hits holds a number, though name holds a string
    void store.setMany([{ key: 'hits', value: 'x' }]);
    void store.setMany([
      { key: 'name', value: 'ada' },
      // @ts-expect-error: a right entry does not excuse a wrong one
      { key: 'name', value: 1 },
    ]);
    // @ts-expect-error: a pattern key holds its pattern's type
    void store.setMany([{ key: 'session:1', value: 1 }]);
    // @ts-expect-error: a Session needs both fields
    void store.setMany([{ key: 'session:1', value: { user: 'a' } }]);
    // @ts-expect-error: ttl is a number of ms
    void store.setMany([{ key: 'hits', value: 1, ttl: '1s' }]);
    expectTypeOf<Entry<Schema, 'hits'>['value']>().toEqualTypeOf<number>();
    expectTypeOf<Entry<Schema, 'hits' | 'name'>>().toEqualTypeOf<
      | { key: 'hits'; value: number; ttl?: number | undefined }
      | { key: 'name'; value: string; ttl?: number | undefined }
    >();
  });

  it('KeyOf<S> is the string keys of the schema, patterns included', () => {
    expectTypeOf<KeyOf<Schema>>().toEqualTypeOf<
      `session:${string}` | `count:${string}` | 'hits' | 'flags' | 'name' | 'maybe' | 'nullable'
    >();
    expectTypeOf<KeyOf<{ 1: number; a: string }>>().toEqualTypeOf<'a'>();
  });

  it('an untyped Store takes any string key and resolves unknown', () => {
    expectTypeOf(untyped.get('anything')).resolves.toEqualTypeOf<unknown>();
    void untyped.set('anything', { any: 'value' });
    expectTypeOf(untyped.increment('anything', 1, { ttl: 10 })).resolves.toEqualTypeOf<number>();
    void untyped.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 'x', ttl: 10 },
    ]);
    expectTypeOf(untyped.getMany(['a', 'b'])).resolves.toEqualTypeOf<[unknown, unknown]>();
    const keys: string[] = ['a'];
    expectTypeOf(untyped.getMany(keys)).resolves.toEqualTypeOf<unknown[]>();
    void untyped.deleteMany(keys);
    // @ts-expect-error: keys are strings
    void untyped.get(1);
    // @ts-expect-error: keys are strings
    void untyped.increment(1);
  });

  it('a typed Store is usable where code takes a Store of its keys', () => {
    const counters: Store<{ [k: string]: number }> = undefined as unknown as Store<{
      [k: string]: number;
    }>;
    void counters.increment('any');
    expectTypeOf(counters.getMany(['a'])).resolves.toEqualTypeOf<[number | undefined]>();
  });
});

describe('versions and atomic() types', () => {
  it('getEntry() resolves the key type with a version, or undefined', () => {
    expectTypeOf(store.getEntry('hits')).resolves.toEqualTypeOf<
      VersionedEntry<number> | undefined
    >();
    expectTypeOf(store.getEntry('session:1')).resolves.toEqualTypeOf<
      VersionedEntry<Session> | undefined
    >();
  });

  it('getEntries() of a tuple of keys resolves a tuple of entries', () => {
    expectTypeOf(store.getEntries(['hits', 'name'])).resolves.toEqualTypeOf<
      [VersionedEntry<number> | undefined, VersionedEntry<string> | undefined]
    >();
  });

  it('set() and delete() take ifVersion as a string or null, nothing else', () => {
    void store.set('hits', 1, { ifVersion: 'v' });
    void store.set('hits', 1, { ifVersion: null, ttl: 10 });
    void store.delete('hits', { ifVersion: null });
    // @ts-expect-error: a version is a string
    void store.set('hits', 1, { ifVersion: 1 });
  });

  it('atomic() records typed steps and commit() resolves a CommitResult', () => {
    const commit = store
      .atomic()
      .check('hits', null)
      .set('session:1', { user: 'a', expires: 1 }, { ttl: 5 })
      .increment('count:x', 2)
      .delete('name')
      .commit();
    expectTypeOf(commit).resolves.toEqualTypeOf<CommitResult>();
    // @ts-expect-error: hits holds a number
    store.atomic().set('hits', 'x');
    // @ts-expect-error: increment takes keys that hold numbers
    store.atomic().increment('name');
  });
});

describe('call options hold undefined as "not given"', () => {
  it('an option read from elsewhere may be undefined, with or without exactOptionalPropertyTypes', () => {
    const ttl = undefined as number | undefined;
    const version = undefined as string | null | undefined;
    const signal = undefined as AbortSignal | undefined;
    void store.set('hits', 1, { ttl, ifVersion: version, signal, timeout: undefined });
    void store.delete('hits', { ifVersion: version });
    void store.increment('hits', 1, { ttl });
    void store.setMany([{ key: 'hits', value: 1, ttl }]);
    void store.scan('', { count: undefined, cursor: undefined });
    void store.atomic().set('hits', 1, { ttl }).commit({ timeout: undefined });
    // @ts-expect-error: still a number when given
    void store.set('hits', 1, { ttl: '5' });
  });
});

describe('StateError types', () => {
  it('StateError.is() narrows to StateError', () => {
    const error: unknown = undefined;
    if (StateError.is(error, 'TIMEOUT')) {
      expectTypeOf(error).toEqualTypeOf<StateError>();
      expectTypeOf(error.code).toEqualTypeOf<StateErrorCode>();
      expectTypeOf(error.maybeApplied).toEqualTypeOf<boolean | undefined>();
    }
  });

  it('StateErrorCode is the closed union of codes', () => {
    expectTypeOf<'TIMEOUT'>().toExtend<StateErrorCode>();
    expectTypeOf<'NOPE'>().not.toExtend<StateErrorCode>();
    // @ts-expect-error: not a code
    void new StateError('NOPE', 'x');
  });
});
