import { MAX_VALUE_DEPTH, type Store } from '@statewire/core';
import { DEFAULT_MAX_BATCH_KEYS } from '@statewire/core/transport';
import session, { type SessionData } from 'express-session';
import {
  type ResolvedSessionStoreOptions,
  resolveSessionStoreOptions,
  type SessionStoreOptions,
} from './options.js';
import { sessionTtl } from './session-ttl.js';

type Callback<T = void> = (error: unknown, result?: T) => void;

/**
 * An express-session store over any statewire store: every cluster worker (over
 * `@statewire/ipc`) or every machine (over `@statewire/redis`) sees the same sessions.
 *
 * Sessions are stored as express-session's own `MemoryStore` keeps them: through a JSON
 * round trip, so a `Date` in a session reads back as its ISO string (as `cookie.expires`
 * does) on every transport alike. Each session expires with its cookie (`maxAge`), or
 * after `ttl` for a cookie without one; `touch()` extends it.
 *
 * Every callback is called exactly once, asynchronously; a failing store passes its
 * `StateError` to it.
 */
export class StatewireSessionStore extends session.Store {
  readonly #options: ResolvedSessionStoreOptions;

  /** @throws TypeError when an option is missing or malformed. */
  constructor(options: SessionStoreOptions) {
    super();
    this.#options = resolveSessionStoreOptions(options);
  }

  /** The statewire store the sessions live in. */
  get store(): Store {
    return this.#options.store;
  }

  /** Reads session `sid`: `null` when it does not exist or has expired. */
  override get(sid: string, callback: Callback<SessionData | null>): void {
    settle(this.store.get(this.#key(sid)).then(fromStored), callback);
  }

  /** Stores session `sid` until its cookie expires (deletes it when that has passed). */
  override set(sid: string, data: SessionData, callback?: Callback): void {
    settle(this.#write(sid, data), callback);
  }

  /** Deletes session `sid`, for every worker. */
  override destroy(sid: string, callback?: Callback): void {
    settle(
      this.store.delete(this.#key(sid)).then(() => undefined),
      callback,
    );
  }

  /**
   * Restarts the lifetime of session `sid` from its cookie, as express-session calls it for
   * an unmodified session. A session already missing (destroyed by another worker,
   * expired) stays gone. Read and write are two calls: a `destroy()` landing between them
   * is undone (there is no atomic "extend the expiry" in statewire's `Store`).
   */
  override touch(sid: string, data: SessionData, callback?: () => void): void {
    settle(this.#touch(sid, data), callback);
  }

  /** Every session, by id. */
  override all(callback: Callback<Record<string, SessionData>>): void {
    settle(this.#all(), callback);
  }

  /** How many sessions there are. */
  override length(callback: Callback<number>): void {
    settle(
      this.store.keys(this.#options.prefix).then((keys) => keys.length),
      callback,
    );
  }

  /** Deletes every session (every key under the prefix). */
  override clear(callback?: Callback): void {
    settle(this.#clear(), callback);
  }

  #key(sid: string): string {
    return `${this.#options.prefix}${sid}`;
  }

  async #write(sid: string, data: SessionData): Promise<void> {
    const ttl = sessionTtl(data.cookie, this.#options.ttl, Date.now());
    if (ttl <= 0) {
      await this.store.delete(this.#key(sid));
      return;
    }
    await this.store.set(this.#key(sid), toStored(data), { ttl });
  }

  async #touch(sid: string, data: SessionData): Promise<void> {
    const stored = fromStored(await this.store.get(this.#key(sid)));
    if (stored === null) return;
    await this.#write(sid, { ...stored, cookie: data.cookie } as SessionData);
  }

  async #all(): Promise<Record<string, SessionData>> {
    const { prefix } = this.#options;
    const keys = await this.store.keys(prefix);
    // A null-prototype object: a session id is whatever the client sent, `__proto__` too.
    const sessions: Record<string, SessionData> = Object.create(null);
    for (const batch of this.#batches(keys)) {
      const values = await this.store.getMany(batch);
      for (const [index, key] of batch.entries()) {
        const value = values[index];
        const session = fromStored(value);
        if (session !== null) sessions[key.slice(prefix.length)] = session;
      }
    }
    return sessions;
  }

  async #clear(): Promise<void> {
    const keys = await this.store.keys(this.#options.prefix);
    for (const batch of this.#batches(keys)) await this.store.deleteMany(batch);
  }

  // getMany and deleteMany take at most the store's maxBatchKeys keys a call (an older
  // @statewire/core does not declare it: its default then).
  *#batches(keys: readonly string[]): Generator<string[]> {
    const declared = (this.store.capabilities as { maxBatchKeys?: number }).maxBatchKeys;
    const size = declared ?? DEFAULT_MAX_BATCH_KEYS;
    for (let start = 0; start < keys.length; start += size) yield keys.slice(start, start + size);
  }
}

/**
 * The form a session is stored in: express-session's own JSON round trip (its MemoryStore
 * does the same), which turns `Date`s into ISO strings and drops `undefined` fields and
 * functions — what a JSON store could not keep exactly anyway. A session some codec would
 * refuse is kept as its JSON text instead (see {@link keptAsText}).
 */
function toStored(data: SessionData): unknown {
  const text = JSON.stringify(data);
  return keptAsText(text) ? { [AS_JSON_TEXT]: text } : JSON.parse(text);
}

/**
 * A session as it was stored: its JSON text is parsed again when it was kept as text (see
 * {@link toStored}).
 */
function fromStored(value: unknown): SessionData | null {
  if (value === undefined || value === null) return null;
  const text = (value as Record<string, unknown>)[AS_JSON_TEXT];
  return (typeof text === 'string' ? JSON.parse(text) : value) as SessionData;
}

/**
 * Whether a session's JSON text parses to a value that the codec of some transport refuses,
 * though express-session's JSON round trip keeps it. A request body put in a session can
 * hold each of them (`express.json()` parses whatever the client sent):
 *
 * - a lone surrogate (`"\ud800"`): msgpack strings are UTF-8. JSON.stringify wrote it as an
 *   escape, a `\udXXX` behind an even run of backslashes;
 * - an own `__proto__` key (`{"__proto__": …}`): msgpackr would rename it. Its text is a
 *   `"__proto__"` right after the `{` or `,` that opens a member (inside a string, the quote
 *   would be escaped);
 * - nesting deeper than `MAX_VALUE_DEPTH`, which every codec refuses.
 *
 * Kept as text, such a session is stored on every transport alike and reads back exactly.
 * The form is chosen before the write is issued, so the writes of a session stay in order.
 */
function keptAsText(text: string): boolean {
  return LONE_SURROGATE.test(text) || PROTO_KEY.test(text) || nestsTooDeep(text);
}

const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;
const PROTO_KEY = /[{,]"__proto__":/;

// Brackets inside strings do not nest; a text of fewer than twice the limit cannot pass it.
function nestsTooDeep(text: string): boolean {
  if (text.length <= 2 * MAX_VALUE_DEPTH) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > MAX_VALUE_DEPTH) return true;
    } else if (c === '}' || c === ']') depth--;
  }
  return false;
}

// A session always has a `cookie`: an object holding only this field is never a session of
// its own.
const AS_JSON_TEXT = '$statewire:sessionJson';

/** Calls `callback` once with the outcome, outside the promise chain (so a throwing callback is not swallowed). */
function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): void {
  promise.then(
    (result) => {
      if (callback) process.nextTick(callback, null, result);
    },
    (error: unknown) => {
      if (callback) process.nextTick(callback, error);
    },
  );
}

/**
 * Creates an express-session store over a statewire store.
 *
 * @example
 * ```ts
 * app.use(session({ store: createSessionStore({ store: connect({ namespace: 'sessions' }) }), secret }));
 * ```
 * @throws TypeError when an option is missing or malformed.
 */
export function createSessionStore(options: SessionStoreOptions): StatewireSessionStore {
  return new StatewireSessionStore(options);
}
