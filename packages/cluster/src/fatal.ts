/**
 * The exit code of a worker whose failure a restart cannot fix (a port already in use,
 * a malformed setting): the supervisor does not respawn it. 78 is `EX_CONFIG` of
 * `sysexits.h`, "something was found in an unconfigured or misconfigured state", which
 * no well-known runtime uses for crashes.
 */
export const FATAL_EXIT_CODE = 78;

/** What {@link exitFatal} sends to the primary before it exits. */
export interface FatalMessage {
  statewire: 'fatal';
  /** One line for a human: what is wrong and how to fix it. */
  reason: string;
}

/** True when `message` is what {@link exitFatal} sends. */
export function isFatalMessage(message: unknown): message is FatalMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { statewire?: unknown }).statewire === 'fatal' &&
    typeof (message as { reason?: unknown }).reason === 'string'
  );
}

/**
 * Ends a cluster worker with a failure that a restart cannot fix, so that the
 * supervisor stops instead of crash-looping: it sends `{ statewire: 'fatal', reason }`
 * to the primary, then exits with {@link FATAL_EXIT_CODE}. The supervisor leaves the
 * seat empty, logs `reason` once, emits `'fatal'` and rejects `ready` with
 * `WORKER_FATAL`.
 *
 * Outside a cluster worker (no IPC channel) it writes `reason` to stderr instead.
 * The process exits once the message is handed to the channel; code after the call
 * still runs until then, so return right after it.
 *
 * @example
 * ```ts
 * server.once('error', (error) => {
 *   if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
 *     exitFatal(`port ${port} is in use: stop what uses it or set PORT to another port`);
 * });
 * ```
 */
export function exitFatal(reason: string): void {
  const exit = () => process.exit(FATAL_EXIT_CODE);
  if (process.send === undefined || !process.connected) {
    process.stderr.write(`${reason}\n`);
    exit();
    return;
  }
  const message: FatalMessage = { statewire: 'fatal', reason };
  // The callback runs once the message is written to the channel, so the primary reads
  // it before it sees the exit; a failed send still exits, with the code alone.
  process.send(message, undefined, {}, exit);
}
