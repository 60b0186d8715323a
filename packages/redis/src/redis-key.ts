/**
 * The default Redis key prefix of a store.
 * @see {@link RedisKeyLayout}
 */
export const DEFAULT_PREFIX = 'statewire:';

// The characters Redis's glob matcher (stringmatchlen) treats specially. A backslash makes
// the next byte literal. UTF-8 continuation bytes are never ASCII, so escaping per UTF-16
// unit is exact.
const GLOB_SPECIAL = /[*?[\]\\^]/g;

/** Escapes `text` so that Redis `SCAN MATCH` treats every character literally. */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, '\\$&');
}

/**
 * How a store's keys are laid out in Redis:
 *
 * ```text
 * <prefix><namespace length>:<namespace>:<key>
 * statewire:0::hits                 namespace '' (the default), key 'hits'
 * statewire:5:users:alice           namespace 'users', key 'alice'
 * ```
 *
 * The namespace's length (in UTF-16 units) comes first, so the mapping from
 * (namespace, key) to a Redis key is injective: namespace `a` with key `:b` is
 * `statewire:1:a::b`, namespace `a:` with key `b` is `statewire:2:a::b`.
 */
export class RedisKeyLayout {
  /** Everything before the user's key: prefix, namespace length, namespace, separator. */
  readonly keyspace: string;

  constructor(prefix: string, namespace: string) {
    this.keyspace = `${prefix}${namespace.length}:${namespace}:`;
  }

  /** The Redis key of `key`. */
  toRedis(key: string): string {
    return this.keyspace + key;
  }

  /** The store key of a Redis key inside this keyspace. */
  fromRedis(redisKey: string): string {
    return redisKey.slice(this.keyspace.length);
  }

  /** A `SCAN MATCH` pattern for every key of this keyspace that starts with `prefix`. */
  pattern(prefix: string): string {
    return `${escapeGlob(this.keyspace + prefix)}*`;
  }
}
