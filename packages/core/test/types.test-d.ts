import { describe, expectTypeOf, it } from 'vitest';
import {
  type Entry,
  type KeyOf,
  StateError,
  type StateErrorCode,
  type Store,
} from '../src/index.js';

interface Session {
  user: string;
  expires: number;
}

type Schema = {
  [k: `session:${string}`]: Session;
  hits: number;
  flags: string[];
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

  it("getMany() resolves the keys' types | undefined, aligned", () => {
    expectTypeOf(store.getMany(['hits'])).resolves.toEqualTypeOf<(number | undefined)[]>();
    expectTypeOf(store.getMany(['session:1', 'session:2'])).resolves.toEqualTypeOf<
      (Session | undefined)[]
    >();
    expectTypeOf(store.getMany(['hits', 'flags'])).resolves.toEqualTypeOf<
      (number | string[] | undefined)[]
    >();
    // @ts-expect-error: not a key of the schema
    void store.getMany(['hits', 'nope']);
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
    expectTypeOf(store.increment('hits', 2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(store.close()).resolves.toEqualTypeOf<void>();
    // @ts-expect-error: increment takes a number
    void store.increment('hits', '2');
  });

  it('setMany() entries take schema keys and schema values', () => {
    void store.setMany([
      { key: 'hits', value: 1 },
      { key: 'session:1', value: { user: 'a', expires: 1 }, ttl: 10 },
    ]);
    // @ts-expect-error: not a key of the schema
    void store.setMany([{ key: 'nope', value: 1 }]);
    // @ts-expect-error: no key of the schema holds a boolean
    void store.setMany([{ key: 'hits', value: true }]);
    expectTypeOf<Entry<Schema, 'hits'>['value']>().toEqualTypeOf<number>();
  });

  it('KeyOf<S> is the string keys of the schema, patterns included', () => {
    expectTypeOf<KeyOf<Schema>>().toEqualTypeOf<`session:${string}` | 'hits' | 'flags'>();
    expectTypeOf<KeyOf<{ 1: number; a: string }>>().toEqualTypeOf<'a'>();
  });

  it('an untyped Store takes any string key and resolves unknown', () => {
    expectTypeOf(untyped.get('anything')).resolves.toEqualTypeOf<unknown>();
    void untyped.set('anything', { any: 'value' });
    // @ts-expect-error: keys are strings
    void untyped.get(1);
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
