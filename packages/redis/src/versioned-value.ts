import type { Encoded } from '@statewire/core';
import { claimRoom, passRoom, widen } from './buffer-room.js';

/**
 * The first byte of every value this release writes: it is followed by the write's
 * {@link VERSION_LENGTH}-character version and then the value as {@link redisValueCodec}
 * encodes it (a decimal integer, or `0xC1` and the inner codec's bytes). `0xC2` is neither
 * a digit, `-` nor `0xC1`, so a stored value of the previous release (which starts with one
 * of those) is never mistaken for a versioned one.
 */
export const VERSION_MARKER = 0xc2;

/** The length of every version a write produces, in ASCII characters (= bytes). */
export const VERSION_LENGTH = 20;

/** The bytes in front of the payload of a versioned value: the marker and the version. */
export const VERSION_HEADER_BYTES = 1 + VERSION_LENGTH;

/**
 * The version `getEntry` reports for a value written by the previous release (no
 * {@link VERSION_MARKER}). No write produces it: it is shorter than {@link VERSION_LENGTH}
 * and `~` is not a character of generated versions. Every such value has this same version,
 * so a compare-and-set is only safe against writers that all run this release.
 */
export const UNVERSIONED = '~unversioned';

function isVersioned(stored: Buffer): boolean {
  return stored.length >= VERSION_HEADER_BYTES && stored[0] === VERSION_MARKER;
}

/**
 * The stored bytes of a write: {@link VERSION_MARKER}, `version` and `payload`, in one
 * buffer. A payload with room in front of it (`allocWithRoom`, not claimed yet) gets its
 * header written there, without a copy, and the rest of its room passes to the result; any
 * other payload is copied behind a new header.
 *
 * @param version - {@link VERSION_LENGTH} ASCII characters, from a `VersionGenerator`.
 * @param payload - the value as the store's codec encoded it (text is stored as UTF-8).
 */
export function versionedValue(version: string, payload: Encoded): Buffer {
  const text = typeof payload === 'string';
  const room = text ? undefined : claimRoom(payload);
  let stored: Buffer;
  if (room !== undefined && room.before >= VERSION_HEADER_BYTES) {
    stored = widen(payload as Uint8Array, VERSION_HEADER_BYTES, 0);
    passRoom(stored, { before: room.before - VERSION_HEADER_BYTES, after: room.after });
  } else {
    const size = text ? Buffer.byteLength(payload, 'utf8') : payload.length;
    stored = Buffer.allocUnsafe(VERSION_HEADER_BYTES + size);
    if (text) stored.write(payload, VERSION_HEADER_BYTES, size, 'utf8');
    else stored.set(payload, VERSION_HEADER_BYTES);
  }
  stored[0] = VERSION_MARKER;
  stored.write(version, 1, VERSION_LENGTH, 'latin1');
  return stored;
}

/**
 * The payload of a stored value, for the codec: the bytes after the version header (a view,
 * not a copy), or the whole value when it was written by the previous release.
 */
export function payloadOf(stored: Buffer): Buffer {
  return isVersioned(stored) ? stored.subarray(VERSION_HEADER_BYTES) : stored;
}

/** The version of a stored value ({@link UNVERSIONED} for one of the previous release). */
export function versionOf(stored: Buffer): string {
  return isVersioned(stored) ? stored.toString('latin1', 1, VERSION_HEADER_BYTES) : UNVERSIONED;
}

/**
 * Lua helpers the scripts share, reading a stored value the way {@link payloadOf},
 * {@link versionOf} and `redisValueCodec` do:
 *
 * - `version_of(stored)`: the version, or {@link UNVERSIONED};
 * - `number_of(stored)`: the safe integer a stored value holds, or `nil` when it holds
 *   anything else (the decimal form `redisValueCodec` writes: `0`, or an optional `-` and
 *   1–16 digits without a leading zero, within ±(2^53 − 1): Lua numbers are doubles, and
 *   a decimal beyond that range converts to at least 2^53, so the check is exact);
 * - `versioned(version, text)`: the stored bytes of a write.
 */
export const VERSIONED_VALUE_LUA = `local MARKER = '\\${VERSION_MARKER}'
local HEADER = ${VERSION_HEADER_BYTES}
local function payload_of(stored)
  if #stored >= HEADER and string.byte(stored, 1) == ${VERSION_MARKER} then
    return string.sub(stored, HEADER + 1)
  end
  return stored
end
local function version_of(stored)
  if #stored >= HEADER and string.byte(stored, 1) == ${VERSION_MARKER} then
    return string.sub(stored, 2, HEADER)
  end
  return '${UNVERSIONED}'
end
local function number_of(stored)
  local text = payload_of(stored)
  if text == '0' then return 0 end
  local digits = #text
  if string.sub(text, 1, 1) == '-' then digits = digits - 1 end
  if digits > 16 or not string.find(text, '^%-?[1-9]%d*$') then return nil end
  local n = tonumber(text)
  if n > 9007199254740991 or n < -9007199254740991 then return nil end
  return n
end
local function versioned(version, text)
  return MARKER .. version .. text
end
-- The safe integer an increment by "by" leaves (a missing value counts as 0), or nil and
-- the error to reply ("what" names the call in it).
local function incremented(stored, by, what)
  local n = tonumber(by)
  if stored then
    local base = number_of(stored)
    if not base then
      return nil, redis.error_reply('WRONGTYPE ' .. what .. ' of a value that is not a safe integer')
    end
    n = base + n
  end
  if n > 9007199254740991 or n < -9007199254740991 then
    return nil, redis.error_reply('STATEWIRE_RANGE ' .. what .. ' result is not a safe integer')
  end
  return n
end`;
