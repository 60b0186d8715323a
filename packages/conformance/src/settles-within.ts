/**
 * The error {@link settlesWithin} rejects with when a promise did not settle in time. It is
 * deliberately not a `StateError`: a store that hangs must fail every expectation about
 * how it settles, including "rejects with `TIMEOUT`".
 */
export class NotSettledError extends Error {
  /** The bound that passed, in milliseconds. */
  readonly ms: number;

  constructor(what: string, ms: number) {
    super(`${what} did not settle within ${ms} ms`);
    this.name = 'NotSettledError';
    this.ms = ms;
  }
}

/**
 * Settles like `promise`, or rejects with a {@link NotSettledError} when `promise` has not
 * settled after `ms` milliseconds. Every await of the suite goes through it, so that a
 * store that never answers fails one test instead of hanging the whole vitest run.
 *
 * This is a liveness bound, not a speed assertion: the suite's bounds are generous and no
 * test asserts how long anything took.
 *
 * @param promise - what to wait for (a thenable is accepted, a plain value resolves at once)
 * @param ms - the bound, in milliseconds
 * @param what - names the awaited call in the error message
 * @throws NotSettledError (as a rejection) when the bound passes first
 */
export function settlesWithin<T>(
  promise: PromiseLike<T> | T,
  ms: number,
  what = 'the call',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new NotSettledError(what, ms)), ms);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Closes `store` within `ms`, ignoring a rejection or a hang: cleanup only (closing is
 * tested by the lifecycle group, not by cleanup).
 * @returns whether `close()` settled (resolved or rejected) within `ms`
 */
export async function closeQuietly(
  store: { close(): Promise<void> },
  ms: number,
): Promise<boolean> {
  return settlesWithin(
    Promise.resolve().then(() => store.close()),
    ms,
    'close()',
  ).then(
    () => true,
    (error: unknown) => !(error instanceof NotSettledError),
  );
}
