import { randomBytes } from 'node:crypto';

/**
 * Deterministic pseudo-random bytes (mulberry32 over `seed`), so that a value can be built
 * again identically to compare a read-back copy with, without keeping the original.
 */
export function seededBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let state = seed >>> 0;
  let i = 0;
  while (i < size) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const word = (t ^ (t >>> 14)) >>> 0;
    for (let shift = 0; shift < 32 && i < size; shift += 8) bytes[i++] = (word >>> shift) & 0xff;
  }
  return bytes;
}

/** A deterministic string of `size` printable ASCII characters (so `size` UTF-8 bytes). */
export function seededText(size: number, seed: number): string {
  return seededBytes(Math.ceil((size * 3) / 4), seed)
    .toString('base64')
    .slice(0, size)
    .padEnd(size, '=');
}

/** A fresh namespace name for one test: a fixed prefix and 12 random hex digits. */
export function randomNamespace(): string {
  return `swc-${randomBytes(6).toString('hex')}`;
}

/** A human size: `1 MiB`, `64 KiB`, `100 B`. */
export function formatBytes(size: number): string {
  if (size >= 1024 * 1024 && size % (1024 * 1024) === 0) return `${size / (1024 * 1024)} MiB`;
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024} KiB`;
  return `${size} B`;
}
