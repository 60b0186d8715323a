import { StateError } from '@statewire/core';
import { NotSettledError, settlesWithin } from './settles-within.js';
import { show } from './strict-equal.js';

/** How a call ended: it threw synchronously, or its promise resolved or rejected. */
export type Outcome<T = unknown> =
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'resolved'; readonly value: T }
  | { readonly kind: 'rejected'; readonly error: unknown };

/**
 * Calls `call` and waits, within `ms`, for what it returned; records a synchronous throw
 * instead of propagating it.
 * @throws NotSettledError (as a rejection) when the call does not settle within `ms`
 */
export async function attempt<T>(
  call: () => PromiseLike<T> | T,
  ms: number,
  what: string,
): Promise<Outcome<T>> {
  let pending: PromiseLike<T> | T;
  try {
    pending = call();
  } catch (error) {
    return { kind: 'threw', error };
  }
  try {
    return { kind: 'resolved', value: await settlesWithin(pending, ms, what) };
  } catch (error) {
    if (error instanceof NotSettledError) throw error;
    return { kind: 'rejected', error };
  }
}

/**
 * Names an error by what the suite checks: a `StateError` by its code (`INVALID_KEY`), a
 * `TypeError` as `TypeError`, anything else by its name and message.
 */
export function errorLabel(error: unknown): string {
  if (StateError.is(error)) return String(error.code);
  if (error instanceof TypeError) return 'TypeError';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `the non-error ${show(error)}`;
}

/**
 * A one-line summary of an outcome, compared as a string so that a failing expectation
 * reads like `expected 'rejected INVALID_KEY', got 'threw synchronously: INVALID_KEY'`.
 * Resolved values are left out unless `withValue` is set.
 */
export function summarize(outcome: Outcome, withValue = false): string {
  switch (outcome.kind) {
    case 'threw':
      return `threw synchronously: ${errorLabel(outcome.error)}`;
    case 'rejected':
      return `rejected ${errorLabel(outcome.error)}`;
    default:
      return withValue ? `resolved ${show(outcome.value)}` : 'resolved';
  }
}
