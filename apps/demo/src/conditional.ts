import type { IncomingMessage } from 'node:http';
import { type ExpectedVersion, MAX_VERSION_LENGTH, type Store } from '@statewire/core';
import { HttpError } from './http-errors.js';
import type { DemoState } from './transport.js';

/** One entity tag of a request header: the store version it names, and whether it is weak. */
interface EntityTag {
  readonly version: string;
  readonly weak: boolean;
}

/** An `If-Match` or `If-None-Match` header: `*` (any current value), or a list of tags. */
type TagList = '*' | readonly EntityTag[];

/** The preconditions of a request (RFC 9110, section 13.1). */
export interface Preconditions {
  readonly ifMatch: TagList | undefined;
  readonly ifNoneMatch: TagList | undefined;
}

/**
 * The `ETag` of a store version: the version, quoted. Versions are opaque strings; the few
 * characters an entity tag cannot hold (`"`, `%`, controls, spaces, non-ASCII) are
 * percent-encoded, so that any version round-trips through a client.
 */
export function etagOf(version: string): string {
  return `"${version.replace(/[^\x21\x23-\x24\x26-\x7e]/gu, (char) => encodeURIComponent(char))}"`;
}

function versionOf(opaque: string, header: string): string {
  try {
    return decodeURIComponent(opaque);
  } catch {
    throw new HttpError(400, 'INVALID_PRECONDITION', `${header} holds a malformed entity tag`);
  }
}

// `*`, or `"tag"` / `W/"tag"` separated by commas (RFC 9110, section 8.8.3).
function parseTags(value: string, header: string): TagList {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  const tag = /\s*(W\/)?"([\x21\x23-\x7e]*)"\s*(?:,|$)/y;
  let at = 0;
  while (at < value.length) {
    tag.lastIndex = at;
    const found = tag.exec(value);
    if (found === null) {
      throw new HttpError(
        400,
        'INVALID_PRECONDITION',
        `${header} must be * or a list of entity tags ("…" or W/"…")`,
      );
    }
    tags.push({ version: versionOf(found[2] as string, header), weak: found[1] !== undefined });
    at = tag.lastIndex;
  }
  return tags;
}

/**
 * Reads `If-Match` and `If-None-Match`.
 * @throws HttpError 400 `INVALID_PRECONDITION` when one is malformed
 */
export function readPreconditions(req: IncomingMessage): Preconditions {
  const read = (header: 'if-match' | 'if-none-match') => {
    const value = req.headers[header];
    return value === undefined ? undefined : parseTags(value, header);
  };
  return { ifMatch: read('if-match'), ifNoneMatch: read('if-none-match') };
}

// `If-Match` compares strongly (a weak tag never matches), `If-None-Match` weakly.
function matches(tags: TagList, current: string | undefined, strong: boolean): boolean {
  if (current === undefined) return false;
  if (tags === '*') return true;
  return tags.some((tag) => tag.version === current && !(strong && tag.weak));
}

// The same code as the store's own refusal of a stale `ifVersion`, so clients see one answer.
function failed(): HttpError {
  return new HttpError(
    412,
    'CONFLICT',
    'the value under this key is not at the version the request names',
  );
}

/**
 * Evaluates the preconditions against the current version of a value (`undefined` when
 * missing), in the order RFC 9110 (section 13.2.2) gives: `If-Match`, then `If-None-Match`.
 * @returns `'not-modified'` when only `If-None-Match` failed on a read (answer 304)
 * @throws HttpError 412 when a precondition failed otherwise
 */
export function evaluate(
  preconditions: Preconditions,
  current: string | undefined,
  read: boolean,
): 'pass' | 'not-modified' {
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch !== undefined && !matches(ifMatch, current, true)) throw failed();
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, current, false)) {
    if (read) return 'not-modified';
    throw failed();
  }
  return 'pass';
}

/**
 * The `ifVersion` a write must carry so that it applies only if its preconditions hold when
 * it runs (`undefined`: an unconditional write). The common forms cost no extra round trip:
 * `If-Match: "v"` is `ifVersion: 'v'` and `If-None-Match: *` is `ifVersion: null`, and a
 * mismatch rejects `CONFLICT` (412). Any other form reads the current version, evaluates the
 * preconditions on it, and makes the write conditional on that version, so that a write
 * made by another worker in between still fails it.
 * @throws HttpError 412 when a precondition already fails on the current version
 */
export async function expectedVersion(
  store: Store<DemoState>,
  key: `kv:${string}`,
  preconditions: Preconditions,
): Promise<ExpectedVersion | undefined> {
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch === undefined && ifMatch !== '*' && ifMatch?.length === 1) {
    const [tag] = ifMatch as readonly EntityTag[];
    // A tag longer than any version a store hands out (or takes) matches nothing.
    if (tag && !tag.weak && tag.version.length > MAX_VERSION_LENGTH) throw failed();
    if (tag && !tag.weak) return tag.version;
  }
  if (ifMatch === undefined && ifNoneMatch === '*') return null;
  const current = (await store.getEntry(key))?.version;
  evaluate(preconditions, current, false);
  return current ?? null;
}
