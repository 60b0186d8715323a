/** One window of a fixed-window rate limit. */
export interface FixedWindow {
  /** The window's number: how many whole windows have passed since the Unix epoch. */
  readonly index: number;
  /** When the window ends and its counts reset, ms since the epoch. */
  readonly end: number;
}

/**
 * The window `now` falls in, for windows of `windowMs` aligned to the Unix epoch.
 *
 * Every worker (and every machine on Redis) derives the same window from its clock alone,
 * and the window's number is part of the counter's key: so all of them count into the same
 * counter, a new window always starts a new counter at 0, and the reset time is exact —
 * it never depends on which worker happened to see the first hit, nor on the counter's
 * TTL, which only reclaims memory.
 */
export function fixedWindow(now: number, windowMs: number): FixedWindow {
  const index = Math.floor(now / windowMs);
  return { index, end: (index + 1) * windowMs };
}
