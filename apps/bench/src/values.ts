import { isDeepStrictEqual } from 'node:util';

/** The kinds of value a scenario stores. */
export type ValueKind = 'small' | 'buffer1k' | 'string64k' | 'buffer64k';

export const valueKinds: readonly ValueKind[] = ['small', 'buffer1k', 'string64k', 'buffer64k'];

/** How each kind is named in the table. */
export const valueLabels: Readonly<Record<ValueKind, string>> = {
  small: 'small object (~100 B JSON)',
  buffer1k: '1 KiB Buffer',
  string64k: '64 KiB string',
  buffer64k: '64 KiB Buffer',
};

/** Whether a kind is binary: JSON-only subjects cannot carry it. */
export function isBinary(kind: ValueKind): boolean {
  return kind === 'buffer1k' || kind === 'buffer64k';
}

// Deterministic bytes, so every subject and every process stores the same value.
function bytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** The value stored under every key of a scenario of this kind. */
export function makeValue(kind: ValueKind): unknown {
  switch (kind) {
    case 'small':
      // 102 bytes as JSON: a typical session or rate-limit record.
      return {
        id: 48213,
        user: 'user-000042',
        roles: ['reader', 'writer'],
        active: true,
        score: 98.5,
        at: 1700000000000,
      };
    case 'buffer1k':
      return bytes(1024);
    case 'string64k':
      return 'x'.repeat(65_536 - 16).concat('0123456789abcdef');
    case 'buffer64k':
      return bytes(65_536);
  }
}

/**
 * Why `actual` is not the value that was stored, or `undefined` when it round-tripped
 * exactly (same type: a Buffer must come back a Buffer).
 */
export function roundTripProblem(
  kind: ValueKind,
  expected: unknown,
  actual: unknown,
): string | undefined {
  if (isBinary(kind)) {
    if (!Buffer.isBuffer(actual)) {
      const type =
        actual === null
          ? 'null'
          : typeof actual === 'object'
            ? actual.constructor?.name
            : typeof actual;
      return `a Buffer reads back as ${type ?? 'an object'}`;
    }
    return actual.equals(expected as Buffer) ? undefined : 'the bytes read back differ';
  }
  return isDeepStrictEqual(actual, expected) ? undefined : 'the value reads back changed';
}
