import type { Store } from '@statewire/core';
import { settlesWithin } from './settles-within.js';

/**
 * The methods whose result holds further calls to bound: the builder of `atomic()` (its
 * `commit()`) and the iterator of `scanIterator()` (each `next()`).
 */
const NESTED: ReadonlySet<PropertyKey> = new Set(['atomic', 'scanIterator']);

type Method = (...args: unknown[]) => unknown;

/**
 * A view of `store` whose every call is bounded: a method that returns a promise returns
 * one that settles like it, or rejects with a `NotSettledError` naming the method
 * (`set() did not settle within 10000 ms`) once `ms` have passed, so that a store that
 * never answers fails its test instead of hanging the run. The builder of `atomic()` and
 * the iterator of `scanIterator()` are bounded the same way (`atomic().commit()`,
 * `scanIterator().next()`).
 *
 * Otherwise the view is the store, so that the suite sees exactly what the store does: a
 * synchronous throw propagates as it is; a result that is not a promise (a plain value, a
 * home-made thenable) is returned as it is, for the tests of how calls settle to see;
 * properties (`capabilities`), the prototype and `instanceof` are the store's; a method
 * reads as the same function every time; methods run with the store itself as `this`
 * (private fields work); a builder method that returns its builder returns the bounded one.
 *
 * @param store - the store to bound
 * @param ms - the bound of each call, in milliseconds
 */
export function boundedStore(store: Store, ms: number): Store {
  return bounded(store, ms, '');
}

function bounded<T extends object>(target: T, ms: number, path: string): T {
  // One wrapper per function, so that `s.get === s.get` holds as on the store.
  const wrappers = new WeakMap<Method, Method>();
  const wrap = (property: PropertyKey, method: Method): Method => {
    const name = `${path}${String(property)}()`;
    return (...args) => {
      const result = Reflect.apply(method, target, args);
      if (result === target) return view;
      if (result instanceof Promise) return settlesWithin(result, ms, name);
      if (NESTED.has(property) && typeof result === 'object' && result !== null) {
        return bounded(result, ms, `${name}.`);
      }
      return result;
    };
  };
  const view: T = new Proxy(proxyTarget(target), {
    get(_, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let wrapper = wrappers.get(value as Method);
      if (wrapper === undefined) {
        wrapper = wrap(property, value as Method);
        wrappers.set(value as Method, wrapper);
      }
      return wrapper;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target),
  });
  return view;
}

/**
 * What the view's proxy stands on: the object itself, unless one of its methods is a
 * read-only, non-configurable property (a frozen store), which a proxy must return
 * unchanged; then an empty object that inherits from it, so that every method is still
 * bounded (the view then lists no own keys).
 */
function proxyTarget<T extends object>(target: T): T {
  const fixed = Reflect.ownKeys(target).some((key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    return (
      descriptor !== undefined &&
      !descriptor.configurable &&
      descriptor.writable === false &&
      typeof descriptor.value === 'function'
    );
  });
  return fixed ? (Object.create(target) as T) : target;
}
