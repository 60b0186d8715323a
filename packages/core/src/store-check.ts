/** Methods every store has: enough to tell a store from something else it was mistaken for. */
const STORE_METHODS = ['get', 'set', 'close'] as const;

/**
 * What is wrong with `value` as a statewire `Store`, or `undefined` when it has a store's
 * methods (`get`, `set`, `close`) and `capabilities`. For integrations and harnesses that
 * take a store from their user, so that they can say at once what they were given instead
 * (an ioredis client, a `Map`, a Keyv, a promise of a store) rather than fail later on a
 * property it lacks.
 *
 * @example
 * ```ts
 * const problem = whyNotAStore(options.store);
 * if (problem) throw new TypeError(`store must be a statewire Store, got ${problem}`);
 * ```
 */
export function whyNotAStore(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value !== 'object') return value === undefined ? 'undefined' : `a ${typeof value}`;
  const made = value as Record<string, unknown>;
  if (typeof made.then === 'function')
    return 'a promise (pass the store itself: opening one is synchronous)';
  const missing = STORE_METHODS.filter((name) => typeof made[name] !== 'function');
  if (missing.length > 0) return `an object without ${missing.join(', ')}`;
  if (typeof made.capabilities !== 'object' || made.capabilities === null) {
    return 'an object without capabilities';
  }
  return undefined;
}
