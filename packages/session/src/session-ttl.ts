/** The part of a session's cookie that decides its lifetime. */
interface CookieLifetime {
  maxAge?: number | null | undefined;
  expires?: Date | string | null | undefined;
}

/**
 * How long, in ms, the store keeps a session: what is left of its cookie's lifetime, or
 * `fallback` for a cookie without one (a browser session cookie). Zero or less means the
 * session has already expired.
 *
 * express-session hands `set()` and `touch()` a live `Cookie` whose `maxAge` getter counts
 * down to `expires`; a session read back from the store has `expires` as an ISO string
 * instead, so both are read.
 */
export function sessionTtl(
  cookie: CookieLifetime | undefined,
  fallback: number,
  now: number,
): number {
  if (typeof cookie?.maxAge === 'number') return Math.floor(cookie.maxAge);
  if (cookie?.expires !== undefined && cookie.expires !== null) {
    const expires = new Date(cookie.expires).getTime();
    if (Number.isFinite(expires)) return expires - now;
  }
  return fallback;
}
