/**
 * `INCRBY` with a range check and an optional expiry for a key it creates, atomically (a
 * script runs alone on the server). Arguments: `KEYS[1]` the key, `ARGV[1]` the step,
 * `ARGV[2]` a ttl in ms (`0`: none).
 *
 * The store sends it with `EVAL` and its body every time, never `EVALSHA`: a server whose
 * script cache was emptied (`SCRIPT FLUSH`, a restart, a failover, Redis 7.4 evicting
 * EVAL-loaded scripts) answers `EVALSHA` with `NOSCRIPT`, and ioredis's retry as `EVAL`
 * would be applied after calls sent behind it (`increment(k); set(k, 100)` ending with
 * 101). `EVAL` finds the compiled script by its digest, so the body costs bytes, not a
 * compilation.
 *
 * Values are read back as JavaScript numbers, so a result beyond ±(2^53 − 1) would silently
 * lose precision. The script undoes such an increment and replies an error instead, which
 * the store maps to `INVALID_VALUE`, as the memory store does. Lua numbers are doubles, but
 * the check is exact: a true result within the safe range converts exactly, and one beyond
 * it converts to at least 2^53. `INCRBY` itself rejects a stored value that is not a decimal
 * integer (`WRONG_TYPE`) and keeps the key's expiry; the ttl is applied only when the
 * increment created the key (the step is a safe integer, so a created key is in range).
 *
 * The result is replied as the stored decimal string, not as an integer reply: ioredis 6.0.0
 * decodes integer replies as `number * 10 + byte - 48`, whose intermediate sum leaves the
 * exact range of doubles, so integers within about 60 of 2^53 come back wrong
 * (9007199254740991 reads as 9007199254740992).
 */
export const INCREMENT_LUA = `local ttl = tonumber(ARGV[2])
local created = ttl > 0 and redis.call('EXISTS', KEYS[1]) == 0
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n > 9007199254740991 or n < -9007199254740991 then
  redis.call('DECRBY', KEYS[1], ARGV[1])
  return redis.error_reply('STATEWIRE_RANGE increment() result is not a safe integer')
end
if created then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('GET', KEYS[1])`;
