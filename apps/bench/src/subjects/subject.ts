import type { OpKind } from '../scenarios.js';
import type { ValueKind } from '../values.js';

/** What every subject looks like to a worker's load loops. */
export interface BenchClient {
  /** `kind` is what was stored: raw clients decode by it, as their users know their schema. */
  get(key: string, kind: ValueKind): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  /** A set that expires after `ttlMs`: only the statewire transports (the memory run's TTL run). */
  setWithTtl?(key: string, value: unknown, ttlMs: number): Promise<unknown>;
  /** Atomically adds 1; resolves the new value. */
  increment(key: string): Promise<unknown>;
  /**
   * Adds 1 by compare-and-set: `getEntry`, then `set` with `ifVersion`, again after each
   * `CONFLICT`; resolves how many conflicts it met. Only stores with versions.
   */
  casIncrement?(key: string): Promise<number>;
  close(): Promise<void>;
  /** Frames sent so far, for transports that batch calls into frames. */
  framesOut?(): number;
  /** Moves bytes without holding data (the physical-limit row): nothing to read back. */
  holdsNoData?: boolean;
}

/** What a subject's primary keeps running while its workers call it. */
export interface BenchHost {
  close(): Promise<void>;
  /** What the workers need to know to reach this host (e.g. a socket path). */
  clientEnv?: Record<string, string>;
}

/** Where the subject runs: passed from the orchestrator to the primary and its workers. */
export interface SubjectEnv {
  /** `redis://127.0.0.1:PORT` of the throwaway redis-server, when one runs. */
  redisUrl: string | undefined;
  /** Key prefix or namespace, distinct per subject. */
  namespace: string;
  /** The pid of that redis-server, whose RSS the memory run samples too. */
  redisPid?: number;
  /** The host's `clientEnv`, in workers. */
  host?: Record<string, string>;
}

/** Which baseline a subject's ratio column is measured against. */
export type BaselineGroup = 'ipc' | 'redis';

/**
 * One thing being measured. The module that defines it loads its library only inside
 * `host()` and `client()`, so the orchestrator can read the metadata without loading (and
 * without letting it hook `cluster` in) every peer library.
 */
export interface Subject {
  name: string;
  /**
   * statewire's own transports, raw baselines, peer libraries from npm, or the carrier's
   * physical limit.
   */
  family: 'statewire' | 'baseline' | 'peer' | 'limit';
  /** One line for the report: what it is and how it was driven. */
  description: string;
  /** What it puts on the wire for a call, for the report's disclosure (issue 13). */
  wire: string;
  group: BaselineGroup;
  /**
   * A peer beyond the ones the targets name: measured only in the small-value mix at
   * 2 workers x 64, to keep the full run short.
   */
  extra?: boolean;
  /** Left out of the workers x depth sweep, the hot key and the open loop (peers). */
  notInSweep?: boolean;
  /** Node IPC serialization of the cluster the subject runs in. */
  serialization: 'json' | 'advanced';
  needsRedis: boolean;
  /** Why the subject cannot carry a kind of value, or `undefined` when it can. */
  cannotCarry(kind: ValueKind): string | undefined;
  /** Why the subject cannot do an operation, or `undefined` when it can. */
  cannotDo(op: OpKind): string | undefined;
  /** Runs in the cluster primary before any worker is forked. */
  host(env: SubjectEnv): Promise<BenchHost>;
  /** Runs in each worker. */
  client(env: SubjectEnv): Promise<BenchClient>;
}

/** A host with nothing to run (the data lives in Redis). */
export const noHost: BenchHost = { close: async () => {} };

export const jsonOnly = (kind: ValueKind): string | undefined =>
  kind === 'buffer1k' || kind === 'buffer64k'
    ? 'JSON values only: a Buffer does not round-trip'
    : undefined;
