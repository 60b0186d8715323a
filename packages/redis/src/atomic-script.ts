import { ErrorCode, StateError } from '@statewire/core';
import {
  MutationKind,
  type WireCheck,
  type WireCommitResult,
  type WireMutation,
} from '@statewire/core/transport';
import type { RedisKeyLayout } from './redis-key.js';
import type { VersionGenerator } from './version-generator.js';
import { VERSIONED_VALUE_LUA, versionedValue } from './versioned-value.js';

/**
 * One atomic commit (`Op.atomic`: `atomic().commit()`, and `set`/`delete` with `ifVersion`)
 * as one script, which Redis runs alone: nothing else can write between its checks and its
 * mutations, and nothing is written unless every check passed and every mutation is known
 * to succeed.
 *
 * - `KEYS`: the key of each check, then the key of each mutation (repeats allowed). Every
 *   key is in `KEYS`, so a Cluster routes the script by them and refuses keys of several
 *   slots (the store refuses those before sending).
 * - `ARGV[1]`: the number of checks; then one argument per check: `=` and the expected
 *   version, or the empty string for "must not exist" (so that a version `''` stays a
 *   version); then three per mutation: `s`, the stored bytes (already versioned by the
 *   client), a ttl in ms (`0`: none) — `d`, `''`, `''` — `i`, the step, the version.
 *
 * Every check is read first; any failure replies `{0, index, …}` (0-based indexes of the
 * failed checks) and writes nothing. Then every increment is validated against the value
 * the mutations before it leave (a `set` of text then an `increment` of the same key fails
 * the commit), with the same rules as `increment()`: a value that is not a safe integer is a
 * `WRONGTYPE` error, a result beyond ±(2^53 − 1) a `STATEWIRE_RANGE` error, and nothing has
 * been written by then. Only then are the mutations applied in order; the reply is
 * `{1, version, …}` aligned with the mutations (nil after a delete). An increment keeps the
 * key's expiry (`KEEPTTL`); a `set` replaces it like `set()` does. A server out of memory
 * refuses a script's writes only up to its first one (Redis never stops a script half-way),
 * so `OOM` also leaves the commit unapplied.
 *
 * Sent with `EVAL` and its body, never `EVALSHA`, for the reason given on
 * `INCREMENT_LUA` (a NOSCRIPT retry would reorder calls).
 */
export const ATOMIC_LUA = `${VERSIONED_VALUE_LUA}
local checks = tonumber(ARGV[1])
local failed = {0}
for i = 1, checks do
  local expected = ARGV[i + 1]
  local stored = redis.call('GET', KEYS[i])
  local ok
  if expected == '' then
    ok = not stored
  else
    ok = stored and ('=' .. version_of(stored)) == expected
  end
  if not ok then failed[#failed + 1] = i - 1 end
end
if #failed > 1 then return failed end
local first = checks + 2
local count = #KEYS - checks
local state = {}
local results = {}
for j = 1, count do
  local key = KEYS[checks + j]
  local at = first + 3 * (j - 1)
  local kind = ARGV[at]
  if kind == 's' then
    state[key] = ARGV[at + 1]
  elseif kind == 'd' then
    state[key] = false
  else
    local current = state[key]
    if current == nil then current = redis.call('GET', key) end
    local n, failure = incremented(current, ARGV[at + 1], 'atomic() increment')
    if not n then return failure end
    results[j] = versioned(ARGV[at + 2], string.format('%d', n))
    state[key] = results[j]
  end
end
local versions = {1}
for j = 1, count do
  local key = KEYS[checks + j]
  local at = first + 3 * (j - 1)
  local kind = ARGV[at]
  if kind == 's' then
    if ARGV[at + 2] == '0' then
      redis.call('SET', key, ARGV[at + 1])
    else
      redis.call('SET', key, ARGV[at + 1], 'PX', ARGV[at + 2])
    end
    versions[j + 1] = version_of(ARGV[at + 1])
  elseif kind == 'd' then
    redis.call('UNLINK', key)
    versions[j + 1] = false
  else
    redis.call('SET', key, results[j], 'KEEPTTL')
    versions[j + 1] = ARGV[at + 2]
  end
end
return versions`;

/** The `KEYS` and `ARGV` of one commit's `EVAL`. */
export interface AtomicScriptArgs {
  /** The Redis keys, in the order of `KEYS`. */
  keys: string[];
  /** `ARGV`. */
  args: (string | Buffer)[];
}

/**
 * The `KEYS` and `ARGV` of {@link ATOMIC_LUA} for one commit. Each `set` and `increment`
 * gets its own new version from `versions`.
 */
export function atomicScriptArgs(
  checks: readonly WireCheck[],
  mutations: readonly WireMutation[],
  layout: RedisKeyLayout,
  versions: VersionGenerator,
): AtomicScriptArgs {
  const keys: string[] = [];
  const args: (string | Buffer)[] = [String(checks.length)];
  for (const [key, version] of checks) {
    keys.push(layout.toRedis(key));
    args.push(version === null ? '' : `=${version}`);
  }
  for (const mutation of mutations) {
    keys.push(layout.toRedis(mutation[1]));
    switch (mutation[0]) {
      case MutationKind.set:
        args.push('s', versionedValue(versions.next(), mutation[2]), String(mutation[3]));
        break;
      case MutationKind.delete:
        args.push('d', '', '');
        break;
      case MutationKind.increment:
        args.push('i', String(mutation[2]), versions.next());
        break;
    }
  }
  return { keys, args };
}

// The script ran, so its writes may have applied.
function malformed(): StateError {
  return new StateError(ErrorCode.PROTOCOL, 'redis: atomic() got a reply it cannot read', {
    maybeApplied: true,
  });
}

/**
 * Reads the reply of {@link ATOMIC_LUA}: `[true, versions]` (aligned with the mutations,
 * `null` after a delete) or `[false, keys]` naming each key whose check failed once.
 *
 * @throws StateError `PROTOCOL` when the reply is not one the script sends
 */
export function readCommitReply(reply: unknown, checks: readonly WireCheck[]): WireCommitResult {
  if (!Array.isArray(reply) || reply.length === 0) throw malformed();
  const [status, ...rest] = reply as unknown[];
  if (Number(status) === 1) {
    const versions = rest.map((version) => {
      if (version === null || typeof version === 'string') return version;
      throw malformed();
    });
    return [true, versions];
  }
  if (Number(status) !== 0 || rest.length === 0) throw malformed();
  const failed = new Set<string>();
  for (const index of rest) {
    const check = checks[Number(index)];
    if (check === undefined) throw malformed();
    failed.add(check[0]);
  }
  return [false, [...failed]];
}
