import { ErrorCode, StateError } from '@statewire/core';
import { IdTable, type OpCode, opNames, writeOps } from '@statewire/core/transport';
import type { CallReplies, RedisCall, Sink } from './redis-call.js';
import type { WaitForReplicas } from './redis-store-options.js';

/** Write calls of one batch waiting for the `WAIT` sent after them. */
export interface ReplicaWait {
  readonly calls: RedisCall[];
  /** Calls the master answered, with their results. */
  readonly answered: [RedisCall, unknown][];
}

/**
 * The error of a write applied on the master but not known to be on enough replicas: a
 * failover could lose it, so it may or may not survive (`maybeApplied`).
 */
export function unreplicated(op: OpCode, count: number, wait: WaitForReplicas): StateError {
  return new StateError(
    ErrorCode.TIMEOUT,
    `redis: ${opNames[op]}() was applied on the master but confirmed by ${count} of ${wait.replicas} replicas within ${wait.timeout} ms`,
    { maybeApplied: true },
  );
}

/**
 * `waitForReplicas`: the writes of each batch are acknowledged only once one `WAIT` sent
 * after them says enough replicas have them. Redis answers `WAIT` once the replicas
 * acknowledged every write sent before it on this connection, so one per batch suffices.
 */
export class ReplicaAcks {
  readonly #wait: WaitForReplicas;
  readonly #replies: CallReplies;
  /** Write calls sent and not confirmed yet, by id. */
  readonly #waiting = new IdTable<ReplicaWait>();

  /** `replies` settles a call once its batch's `WAIT` confirmed it. */
  constructor(wait: WaitForReplicas, replies: CallReplies) {
    this.#wait = wait;
    this.#replies = replies;
  }

  /** Registers the writes of a batch about to be sent; `undefined` when it has none. */
  begin(batch: readonly RedisCall[]): ReplicaWait | undefined {
    let wait: ReplicaWait | undefined;
    for (const call of batch) {
      if (!writeOps.has(call.op)) continue;
      wait ??= { answered: [], calls: [] };
      wait.calls.push(call);
      this.#waiting.set(call.id, wait);
    }
    return wait;
  }

  /** Sends the batch's `WAIT`, after its writes, on the same connection. */
  send(sink: Sink, wait: ReplicaWait): void {
    const { replicas, timeout } = this.#wait;
    sink.call('wait', replicas, timeout, (error, count?: number) => {
      for (const call of wait.calls) this.#waiting.delete(call.id);
      const confirmed = !error && Number(count) >= replicas;
      for (const [call, value] of wait.answered) {
        if (confirmed) this.#replies.settle(call, value);
        else if (error) this.#replies.fail(call, error, true);
        else this.#replies.fail(call, unreplicated(call.op, Number(count), this.#wait), true);
      }
    });
  }

  /**
   * Whether the master's answer to `call` must wait for its batch's `WAIT`: then it is kept
   * and settled later, with the `WAIT`'s verdict.
   */
  hold(call: RedisCall, value: unknown): boolean {
    const wait = this.#waiting.get(call.id);
    if (wait === undefined) return false;
    wait.answered.push([call, value]);
    return true;
  }

  /** The call failed: its batch's `WAIT` no longer concerns it. */
  forget(call: RedisCall): void {
    this.#waiting.delete(call.id);
  }

  /** Forgets every write (the store closed). */
  clear(): void {
    this.#waiting.clear();
  }
}
