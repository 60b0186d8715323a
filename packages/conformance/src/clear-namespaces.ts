import { makeStore, type StoreFactory } from './factory.js';
import { closeQuietly, settlesWithin } from './settles-within.js';

/**
 * Clears each of `namespaces` through a new store from `factory`, then closes that store,
 * so that a run leaves nothing behind on a shared holder (a Redis server keeps what a test
 * wrote otherwise). Best effort and bounded: a factory, `clear()` or `close()` that fails or
 * does not settle within `ms` is given up on, since what `clear()` must do is tested by the
 * groups themselves, not by cleanup. Never rejects.
 */
export async function clearNamespaces(
  factory: StoreFactory,
  namespaces: Iterable<string>,
  ms: number,
  closeBound: () => number = () => ms,
): Promise<void> {
  await Promise.all(
    [...namespaces].map(async (namespace) => {
      const made = makeStore(factory, namespace, ms);
      try {
        const store = await made;
        try {
          await settlesWithin(
            Promise.resolve().then(() => store.clear()),
            ms,
            'clear()',
          );
        } finally {
          await closeQuietly(store, closeBound());
        }
      } catch {
        // Cleanup only: the test's own outcome stands.
      }
    }),
  );
}
