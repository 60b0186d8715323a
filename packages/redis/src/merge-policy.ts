/**
 * The largest value a call merged into an `MSET` or `MGET` should have. Merging saves a
 * command per small value; a large value gains nothing from it and loses much: with 64
 * calls of 64 KiB values in flight, one `MSET` ran at 0.10–0.25x separate `SET`s and one
 * `MGET` at 0.2–0.7x separate `GET`s (the bytes are copied into, or read as, one 4 MiB
 * command or reply, and none of its calls settles before Redis has handled them all).
 */
export const MERGE_MAX_VALUE_BYTES = 8 * 1024;

// How many recent reads the estimate mostly reflects (the weight of each new one is 1/16).
const WINDOW = 16;

/**
 * A running estimate of the size of the values `get` reads: a batch's gets share one `MGET`
 * only while it is at most {@link MERGE_MAX_VALUE_BYTES} (the size of a value is known only
 * once it is read). Merging or not changes nothing but speed: separate `GET`s in one write
 * apply in the same order.
 */
export class ReadSizes {
  #average = 0;

  /**
   * Counts one value read.
   *
   * @param bytes - its stored size (0 for a missing key).
   */
  record(bytes: number): void {
    this.#average += (bytes - this.#average) / WINDOW;
  }

  /** Whether the values read lately are small enough for gets to share an `MGET`. */
  get small(): boolean {
    return this.#average <= MERGE_MAX_VALUE_BYTES;
  }
}
