/**
 * A latency histogram in microseconds with logarithmic buckets 2% wide: constant memory per
 * worker however many calls, mergeable across workers, percentiles within 2%.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 1400; // 1.02^1400 µs is far beyond any timeout

/** A histogram as it travels over IPC: [bucket, count] pairs of the non-empty buckets. */
export type SparseHistogram = [number, number][];

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;

  get count(): number {
    return this.#total;
  }

  /** Records one latency in microseconds. */
  record(us: number): void {
    const bucket = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.#counts[bucket]! += 1;
    this.#total += 1;
  }

  merge(sparse: SparseHistogram): void {
    for (const [bucket, count] of sparse) {
      this.#counts[bucket]! += count;
      this.#total += count;
    }
  }

  /** The latency (µs, the bucket's upper bound) below which `p` percent of calls fall. */
  percentile(p: number): number {
    if (this.#total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) return GROWTH ** bucket;
    }
    return GROWTH ** (BUCKETS - 1);
  }

  toSparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const count = this.#counts[bucket]!;
      if (count > 0) out.push([bucket, count]);
    }
    return out;
  }

  static fromSparse(sparse: SparseHistogram): Histogram {
    const histogram = new Histogram();
    histogram.merge(sparse);
    return histogram;
  }
}
