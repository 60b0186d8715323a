import type { OpCode } from '@statewire/core/transport';
import type { Command } from 'ioredis';

/** One call of a Redis store, from `execute()` until it settles. */
export interface RedisCall {
  /** Its id in the store's `PendingCalls`. */
  readonly id: number;
  readonly op: OpCode;
  /** The encoded arguments (`OpArgs[op]`). */
  readonly args: readonly unknown[];
  /** Settles when the call settles, however; only for barrier operations (`keys`, `clear`). */
  readonly settled: Promise<unknown> | undefined;
}

/** An ioredis reply callback. */
export type Callback<T> = (error: Error | null | undefined, result?: T) => void;

/** One argument of a command, as ioredis takes it (arrays are flattened). */
export type Arg = string | number | Buffer | readonly (string | Buffer)[];

/**
 * The part of an ioredis client the store writes commands with: generic commands with
 * callbacks, cheaper than promises per command. A standalone client writes a command to its
 * socket at once when ready; a Cluster routes it to the node of its slot.
 */
export interface Sink {
  call(command: string, ...args: [...Arg[], Callback<never>]): unknown;
  callBuffer(command: string, ...args: [...Arg[], Callback<never>]): unknown;
  /** Queues a command made by the store (a `FramedCommand`). */
  sendCommand(command: Command): unknown;
}

/** Where the replies of a call's commands go. */
export interface CallReplies {
  /** The call succeeded with `value` (its `OpResult`). */
  settle(call: RedisCall, value: unknown): void;
  /**
   * The call failed with `error` (an ioredis error, or a `StateError` kept as is).
   * `partial`: some of a write's commands may have been applied (`maybeApplied`).
   */
  fail(call: RedisCall, error: unknown, partial: boolean): void;
}
