import { StateError, type Store } from '@statewire/core';
import type { DemoState } from './transport.js';

/** How long `/health` and the start-up check wait for the store. */
export const STORE_CHECK_TIMEOUT_MS = 1000;

/**
 * Makes one real call to the store (a read of the counter) with a short timeout, so that
 * an unreachable store is reported in about a second instead of after every request's
 * own timeout. Resolves `undefined` when the store answered, else why it did not.
 */
export async function checkStore(
  store: Store<DemoState>,
  timeout = STORE_CHECK_TIMEOUT_MS,
): Promise<string | undefined> {
  try {
    await store.get('hits', { timeout });
    return undefined;
  } catch (error) {
    if (StateError.is(error)) {
      const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
      return `${error.code}: ${error.message}${cause}`;
    }
    return (error as Error).message;
  }
}
