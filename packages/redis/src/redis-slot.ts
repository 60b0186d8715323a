/** The number of hash slots of a Redis Cluster. */
export const SLOT_COUNT = 16384;

// CRC16-CCITT (XMODEM), the checksum Redis Cluster uses: https://redis.io/docs/reference/cluster-spec/#hash-tags
const table = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  table[i] = crc & 0xffff;
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) ^ (table[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number)) & 0xffff;
  }
  return crc;
}

/**
 * The Redis Cluster hash slot of a key, honouring hash tags: when the key has a `{` followed
 * later by a `}` with at least one byte between them, only those bytes are hashed.
 */
export function slotOf(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  return crc16(bytes, start, end) % SLOT_COUNT;
}

/**
 * Groups the positions of `keys` by hash slot, so that each group can be one multi-key
 * command (Redis Cluster refuses a command whose keys span slots with `CROSSSLOT`).
 */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const slot = slotOf(keys[i] as string);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  }
  return [...groups.values()];
}
