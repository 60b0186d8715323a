import type { Capabilities } from './capabilities.js';
import type { Encoded } from './codec.js';

/**
 * The operations of the protocol, by wire number. The numbers are part of protocol v1:
 * never renumber; add at the end. Frames carry the number, and the holder dispatches
 * through a fixed table indexed by it, never by a property name.
 */
export const Op = {
  get: 0,
  set: 1,
  delete: 2,
  has: 3,
  keys: 4,
  clear: 5,
  getMany: 6,
  setMany: 7,
  deleteMany: 8,
  increment: 9,
  setIfAbsent: 10,
  scan: 11,
  getEntries: 12,
  atomic: 13,
} as const;

/** The wire number of an operation. */
export type OpCode = (typeof Op)[keyof typeof Op];

/** The operation names by wire number, for messages and stats. */
export const opNames: readonly string[] = Object.freeze(Object.keys(Op));

/** Whether an operation writes: its failure with an unknown outcome sets `maybeApplied`. */
export const writeOps: ReadonlySet<OpCode> = new Set<OpCode>([
  Op.set,
  Op.delete,
  Op.clear,
  Op.setMany,
  Op.deleteMany,
  Op.increment,
  Op.setIfAbsent,
  Op.atomic,
]);

/** A time to live in whole milliseconds; 0 means none. */
export type WireTtl = number;

/** One entry of a `setMany` call on the wire. */
export type WireEntry = [key: string, value: Encoded, ttl: WireTtl];

/**
 * The kinds of mutation an `atomic` call carries, by wire number (part of protocol v1:
 * never renumber; add at the end).
 */
export const MutationKind = {
  set: 0,
  delete: 1,
  increment: 2,
} as const;

/** One check of an `atomic` call: the key's version must equal `version` (`null`: absent). */
export type WireCheck = [key: string, version: string | null];

/** One mutation of an `atomic` call, applied in order after every check passed. */
export type WireMutation =
  | [kind: typeof MutationKind.set, key: string, value: Encoded, ttl: WireTtl]
  | [kind: typeof MutationKind.delete, key: string]
  | [kind: typeof MutationKind.increment, key: string, by: number];

/**
 * What an `atomic` call resolves: `[true, versions]` with the version each mutation left
 * (aligned with the mutations; `null` after a delete), or `[false, keys]` with the keys
 * whose check failed (then nothing was written).
 */
export type WireCommitResult =
  | [ok: true, versions: (string | null)[]]
  | [ok: false, failed: string[]];

/**
 * The arguments of each operation as they travel (values already encoded, keys already
 * validated). Executors receive these, and the holder re-validates them.
 */
export interface OpArgs {
  [Op.get]: [key: string];
  [Op.set]: [key: string, value: Encoded, ttl: WireTtl];
  [Op.delete]: [key: string];
  [Op.has]: [key: string];
  [Op.keys]: [prefix: string];
  [Op.clear]: [];
  [Op.getMany]: [keys: string[]];
  [Op.setMany]: [entries: WireEntry[]];
  [Op.deleteMany]: [keys: string[]];
  /** `ttl` applies only when the increment creates the key. */
  [Op.increment]: [key: string, by: number, ttl: WireTtl];
  [Op.setIfAbsent]: [key: string, value: Encoded, ttl: WireTtl];
  /** `cursor` is `''` for the first page; `count` is a hint the holder never exceeds. */
  [Op.scan]: [prefix: string, cursor: string, count: number];
  [Op.getEntries]: [keys: string[]];
  /** Every check runs before any mutation; a failed check applies nothing. */
  [Op.atomic]: [checks: WireCheck[], mutations: WireMutation[]];
}

/** What each operation resolves on the wire (`null` stands for a missing value). */
export interface OpResult {
  [Op.get]: Encoded | null;
  [Op.set]: null;
  [Op.delete]: boolean;
  [Op.has]: boolean;
  [Op.keys]: string[];
  [Op.clear]: null;
  [Op.getMany]: (Encoded | null)[];
  [Op.setMany]: null;
  [Op.deleteMany]: number;
  [Op.increment]: number;
  [Op.setIfAbsent]: boolean;
  /** The page's keys and the cursor of the next page (`null` when the scan is complete). */
  [Op.scan]: [keys: string[], cursor: string | null];
  /** Each key's value and version, aligned with the keys (`null` where missing). */
  [Op.getEntries]: ([value: Encoded, version: string] | null)[];
  [Op.atomic]: WireCommitResult;
}

/** Per-call settings an executor honours. */
export interface ExecuteOptions {
  /** Milliseconds until the call rejects with `TIMEOUT`. */
  timeout: number;
  /** Rejects the call with `ABORTED` when it fires. */
  signal: AbortSignal | undefined;
}

/**
 * Runs validated, encoded operations somewhere: in this process, over a channel, on a
 * server. A store is a {@link BaseStore} over one executor; a transport implements only
 * this.
 *
 * Contract: `execute` settles exactly once, asynchronously, within `options.timeout`
 * (`TIMEOUT`), rejects with `ABORTED` when the signal fires, with `CLOSED` after `close()`,
 * and with `maybeApplied: true` on a write whose outcome is unknown. It never throws
 * synchronously.
 */
export interface Executor {
  execute<O extends OpCode>(op: O, args: OpArgs[O], options: ExecuteOptions): Promise<OpResult[O]>;
  /** Rejects pending calls with `CLOSED` and releases everything. Idempotent. */
  close(): Promise<void>;
  /**
   * The store's capabilities as far as the holder supports them: `declared`, or a narrower
   * frozen manifest once the executor learned that its holder lacks something (a holder of
   * an earlier release without `versions`). Read on every `store.capabilities`, so it must
   * be cheap and return the same object while nothing changes.
   * @default `declared`
   */
  narrow?(declared: Capabilities): Capabilities;
}
