import { randomBytes } from 'node:crypto';
import { VERSION_LENGTH } from './versioned-value.js';

/** Base64url characters of the random part: 9 random bytes, 72 bits. */
const RANDOM_CHARS = 12;
/** Base36 characters of the counter. */
const COUNTER_CHARS = VERSION_LENGTH - RANDOM_CHARS;
/** The counter wraps here (36^8, about 2.8 × 10^12 writes). */
export const COUNTER_LIMIT = 36 ** COUNTER_CHARS;

function randomPart(): string {
  return randomBytes((RANDOM_CHARS * 3) / 4).toString('base64url');
}

/**
 * Makes the versions a Redis store writes: {@link VERSION_LENGTH} ASCII characters, a random
 * part drawn from `crypto` when the generator is made followed by a per-generator counter in
 * fixed-width base36.
 *
 * The client makes versions, not Redis, so that a plain `set`, `setMany` or `setIfAbsent`
 * stays one `SET`/`MSET`/`SET NX` command. A version is never repeated: within one
 * generator the counter never repeats (a new random part is drawn when it wraps), and two
 * generators (two stores, two processes, before and after any restart of Redis or of the
 * application) share a random part with a chance of about n²/2^73 for n generators. So a
 * key that is deleted and written again, with the same value or not, gets a new version,
 * and a version read before a restart never matches a later write.
 */
export class VersionGenerator {
  #random = randomPart();
  #counter: number;

  /**
   * @param counter - where the counter starts (tests start it near {@link COUNTER_LIMIT}).
   * @default 0
   */
  constructor(counter = 0) {
    this.#counter = counter;
  }

  /** The next version, never returned before. */
  next(): string {
    if (this.#counter >= COUNTER_LIMIT) {
      this.#random = randomPart();
      this.#counter = 0;
    }
    const counter = this.#counter.toString(36);
    this.#counter++;
    return this.#random + counter.padStart(COUNTER_CHARS, '0');
  }
}
