import { VERSIONED_VALUE_LUA } from './versioned-value.js';

/**
 * `increment` on the versioned layout, atomically (a script runs alone on the server).
 * Arguments: `KEYS[1]` the key, `ARGV[1]` the step, `ARGV[2]` a ttl in ms (`0`: none),
 * `ARGV[3]` the version of the write.
 *
 * The stored value is read (a versioned value, or a decimal of the previous release), the
 * step added, and the result written back as a versioned decimal. A stored value that is
 * not a safe integer is refused with a `WRONGTYPE` error (`WRONG_TYPE`), as `INCRBY` did. A
 * key the increment does not create keeps its expiry (`KEEPTTL`); the ttl applies only when
 * it creates the key.
 *
 * The store sends it with `EVAL` and its body every time, never `EVALSHA`: a server whose
 * script cache was emptied (`SCRIPT FLUSH`, a restart, a failover, Redis 7.4 evicting
 * EVAL-loaded scripts) answers `EVALSHA` with `NOSCRIPT`, and ioredis's retry as `EVAL`
 * would be applied after calls sent behind it (`increment(k); set(k, 100)` ending with
 * 101). `EVAL` finds the compiled script by its digest, so the body costs bytes, not a
 * compilation.
 *
 * Values are read back as JavaScript numbers, so a result beyond ±(2^53 − 1) would silently
 * lose precision: the script writes nothing and replies an error instead, which the store
 * maps to `INVALID_VALUE`, as the memory store does. Lua numbers are doubles, but the check
 * is exact: a true result within the safe range is computed exactly, and one beyond it
 * rounds to at least 2^53.
 *
 * The result is replied as the stored decimal string, not as an integer reply: ioredis 6.0.0
 * decodes integer replies as `number * 10 + byte - 48`, whose intermediate sum leaves the
 * exact range of doubles, so integers within about 60 of 2^53 come back wrong
 * (9007199254740991 reads as 9007199254740992).
 */
export const INCREMENT_LUA = `${VERSIONED_VALUE_LUA}
local stored = redis.call('GET', KEYS[1])
local n, failure = incremented(stored, ARGV[1], 'increment()')
if not n then return failure end
local text = string.format('%d', n)
local value = versioned(ARGV[3], text)
if stored then
  redis.call('SET', KEYS[1], value, 'KEEPTTL')
elseif tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], value)
end
return text`;
