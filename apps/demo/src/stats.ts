/** One live worker as the page shows it. */
export interface WorkerStats {
  pid: number;
  /** Requests it answered since it started (the page's own `/stats` polls excluded). */
  served: number;
}

/** What the primary tells every worker about the cluster, about once a second. */
export interface ClusterStats {
  workers: WorkerStats[];
  /** Requests answered by all workers per second, over the last interval. */
  requestsPerSecond: number;
}

/** A worker's report of how many requests it answered so far. */
export interface ServedMessage {
  demo: 'served';
  served: number;
}

/** The primary's broadcast of {@link ClusterStats}. */
export interface StatsMessage extends ClusterStats {
  demo: 'stats';
}

/** True when `message` is a worker's {@link ServedMessage}. */
export function isServedMessage(message: unknown): message is ServedMessage {
  const m = message as Partial<ServedMessage> | null;
  return m?.demo === 'served' && typeof m.served === 'number';
}

/** True when `message` is the primary's {@link StatsMessage}. */
export function isStatsMessage(message: unknown): message is StatsMessage {
  const m = message as Partial<StatsMessage> | null;
  return m?.demo === 'stats' && Array.isArray(m.workers) && typeof m.requestsPerSecond === 'number';
}

/**
 * The primary's tally: per-worker counts as the workers report them, and the rate over
 * all of them. Counts of workers that exited stay in the total, so a reload does not
 * show a negative rate.
 */
export class StatsTally {
  readonly #served = new Map<number, number>();
  #retired = 0;
  #lastTotal = 0;
  #lastAt: number;
  #rate = 0;

  constructor(now = Date.now()) {
    this.#lastAt = now;
  }

  /** A worker's report; true when its count changed. */
  served(pid: number, count: number): boolean {
    if (this.#served.get(pid) === count) return false;
    this.#served.set(pid, count);
    return true;
  }

  /** The workers alive now, in the order of `pids`. */
  snapshot(pids: number[]): ClusterStats {
    for (const pid of this.#served.keys()) {
      if (!pids.includes(pid)) {
        this.#retired += this.#served.get(pid) ?? 0;
        this.#served.delete(pid);
      }
    }
    return {
      workers: pids.map((pid) => ({ pid, served: this.#served.get(pid) ?? 0 })),
      requestsPerSecond: this.#rate,
    };
  }

  /** Closes an interval: the rate becomes the requests answered since the last call. */
  tick(now = Date.now()): void {
    let total = this.#retired;
    for (const count of this.#served.values()) total += count;
    const seconds = (now - this.#lastAt) / 1000;
    if (seconds > 0) this.#rate = Math.max(0, Math.round((total - this.#lastTotal) / seconds));
    this.#lastTotal = total;
    this.#lastAt = now;
  }
}
