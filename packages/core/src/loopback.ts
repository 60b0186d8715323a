import type { Link, LinkHandlers } from './link.js';

/** Two ends of an in-memory channel; see {@link createLoopbackPair}. */
export interface LoopbackPair {
  /** The end a client engine uses. */
  client: LoopbackLink;
  /** The end a host engine attaches. */
  host: LoopbackLink;
  /** Closes the channel for both ends, as a dying process would. */
  disconnect(): void;
}

/** One end of a loopback pair. */
export interface LoopbackLink extends Link {
  /** Delivers `message` to the *other* end as if it came down the channel (tests use it to inject foreign traffic). */
  inject(message: unknown): void;
  /** Stops (`true`) or resumes delivery to this end, like a stalled process. */
  stall(stalled: boolean): void;
}

class End implements LoopbackLink {
  readonly label: string;
  peer!: End;
  #handlers: LinkHandlers | undefined;
  #inbox: unknown[] = [];
  #scheduled = false;
  #stalled = false;
  #closed = false;
  readonly #pair: { disconnected: boolean };

  constructor(label: string, pair: { disconnected: boolean }) {
    this.label = label;
    this.#pair = pair;
  }

  open(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    this.#schedule();
  }

  send(frame: object): boolean {
    if (this.#closed || this.#pair.disconnected) return true;
    // A copy, as a real process boundary would make one: no object is shared between ends.
    this.peer.#deliver(structuredClone(frame));
    return true;
  }

  inject(message: unknown): void {
    this.peer.#deliver(message);
  }

  stall(stalled: boolean): void {
    this.#stalled = stalled;
    if (!stalled) this.#schedule();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox = [];
  }

  hangUp(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox = [];
    const handlers = this.#handlers;
    setImmediate(() => handlers?.close(new Error('loopback disconnected')));
  }

  #deliver(message: unknown): void {
    if (this.#closed) return;
    this.#inbox.push(message);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#stalled || !this.#handlers || this.#inbox.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#stalled) return;
      const inbox = this.#inbox;
      this.#inbox = [];
      for (const message of inbox) {
        if (this.#closed) return;
        this.#handlers?.message(message);
      }
    });
  }
}

/**
 * An in-memory channel between a client engine and a host engine in one process, with no
 * child processes: messages are copied with `structuredClone` and delivered asynchronously,
 * in order. Used to test the engines together and by the conformance self-test.
 */
export function createLoopbackPair(): LoopbackPair {
  const pair = { disconnected: false };
  const client = new End('loopback client', pair);
  const host = new End('loopback host', pair);
  client.peer = host;
  host.peer = client;
  return {
    client,
    host,
    disconnect() {
      if (pair.disconnected) return;
      pair.disconnected = true;
      client.hangUp();
      host.hangUp();
    },
  };
}
