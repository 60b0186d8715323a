/** What a {@link Link} tells its engine. */
export interface LinkHandlers {
  /** A message arrived (a statewire frame or anything else sent on the carrier). */
  message(message: unknown): void;
  /** The carrier closed; nothing more will arrive or leave. */
  close(reason?: unknown): void;
  /** The carrier drained after `send()` returned `false`. */
  drain(): void;
}

/**
 * A carrier of frames between one client and one host: an IPC channel, a socket, a
 * message port, or an in-memory loopback. A link moves frames and nothing else; the
 * engines in core do correlation, timeouts, batching and dispatch.
 */
export interface Link {
  /** Names the carrier in error messages (`process IPC`, `worker 3`, …). */
  readonly label: string;
  /** Starts delivering to `handlers`. Called once. */
  open(handlers: LinkHandlers): void;
  /**
   * Sends one frame. Returns `false` when the carrier is congested: the sender should wait
   * for `drain`. A carrier that has closed reports `close` instead of throwing.
   * @throws Error only when this one frame cannot be carried (Node cannot serialize a
   *   message that large): the link stays open, and the engine fails that frame's calls
   *   instead of taking the link for closed
   */
  send(frame: object): boolean;
  /** Stops delivering and releases the carrier. Idempotent. */
  close(): void;
  /**
   * Stops delivering messages until {@link Link.resume} (optional). The host pauses a link
   * whose replies wait on a congested carrier; a carrier that cannot pause its input
   * leaves this out.
   */
  pause?(): void;
  /** Delivers messages again after {@link Link.pause} (optional). */
  resume?(): void;
  /** Keeps the process alive while calls are pending (optional). */
  ref?(): void;
  /** Lets the process exit while idle (optional). */
  unref?(): void;
}
