/**
 * The name under which the increment script is defined on the ioredis client
 * (`client.defineCommand`). ioredis sends `EVAL` the first time on each connection and
 * `EVALSHA` after, so a restarted server (empty script cache) never sees a `NOSCRIPT` retry
 * that could reorder calls.
 */
export const INCREMENT_COMMAND = 'statewireIncrement';

/**
 * `INCRBY` with a range check, atomically (a script runs alone on the server).
 *
 * Values are read back as JavaScript numbers, so a result beyond ±(2^53 − 1) would silently
 * lose precision. The script undoes such an increment and replies an error instead, which
 * the store maps to `INVALID_VALUE`, as the memory store does. Lua numbers are doubles, but
 * the check is exact: a true result within the safe range converts exactly, and one beyond
 * it converts to at least 2^53. `INCRBY` itself rejects a stored value that is not a decimal
 * integer (`WRONG_TYPE`) and keeps the key's expiry.
 *
 * The result is replied as the stored decimal string, not as an integer reply: ioredis 6.0.0
 * decodes integer replies as `number * 10 + byte - 48`, whose intermediate sum leaves the
 * exact range of doubles, so integers within about 60 of 2^53 come back wrong
 * (9007199254740991 reads as 9007199254740992).
 */
export const INCREMENT_LUA = `local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n > 9007199254740991 or n < -9007199254740991 then
  redis.call('DECRBY', KEYS[1], ARGV[1])
  return redis.error_reply('STATEWIRE_RANGE increment() result is not a safe integer')
end
return redis.call('GET', KEYS[1])`;
