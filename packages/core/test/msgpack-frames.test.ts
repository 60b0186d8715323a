import { describe, expect, it } from 'vitest';
import {
  FRAME_LENGTH_BYTES,
  packFrame,
  packLengthPrefixedFrame,
  unpackFrame,
} from '../src/msgpack.js';

function lengthOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, FRAME_LENGTH_BYTES).getUint32(0);
}

describe('packLengthPrefixedFrame()', () => {
  it('puts the big-endian byte length of the msgpack bytes in front of them', () => {
    const frame = { k: 'res', r: [[1, 0, Buffer.from([1, 2, 3])]] };
    const bytes = packLengthPrefixedFrame(frame);
    expect(lengthOf(bytes)).toBe(bytes.byteLength - FRAME_LENGTH_BYTES);
    expect(Buffer.from(bytes.subarray(FRAME_LENGTH_BYTES))).toEqual(Buffer.from(packFrame(frame)));
    expect(unpackFrame(bytes.subarray(FRAME_LENGTH_BYTES))).toEqual(frame);
  });

  it('never changes bytes it returned earlier, across many packs and buffer growth', () => {
    const kept: { bytes: Uint8Array; copy: Buffer; n: number }[] = [];
    for (let n = 0; n < 1500; n++) {
      // Sizes from a few bytes to 60 kB make msgpackr move to new buffers many times.
      const frame = { n, pad: 'x'.repeat((n * 997) % 60_000) };
      const bytes = packLengthPrefixedFrame(frame);
      kept.push({ bytes, copy: Buffer.from(bytes), n });
    }
    for (const { bytes, copy, n } of kept) {
      expect(Buffer.from(bytes).equals(copy)).toBe(true);
      expect((unpackFrame(bytes.subarray(FRAME_LENGTH_BYTES)) as { n: number }).n).toBe(n);
      expect(lengthOf(bytes)).toBe(bytes.byteLength - FRAME_LENGTH_BYTES);
    }
  });
});
