import type { LinkHandlers } from '@statewire/core/transport';
import { type ListenedChannel, listen } from './channel-listeners.js';
import type { FrameWrapping } from './frame-wrapping.js';

/**
 * The receiving half of a link on a channel (an IPC endpoint or a message port): delivers
 * the channel's messages, unwrapped, while open, and reports the channel's end once — on
 * either of its closing events or when the link's sending side finds it gone.
 */
export class ChannelReceiver {
  readonly #channel: ListenedChannel;
  readonly #closingEvents: readonly string[];
  readonly #frames: FrameWrapping;
  readonly #closedMessage: string;
  #handlers: LinkHandlers | undefined;
  #open = false;
  #finished = false;
  #unsubscribe: (() => void)[] = [];

  /**
   * @param closingEvents the channel's events that mean it is gone (`disconnect`/`exit`,
   *   `close`/`exit`)
   * @param closedMessage the message of the error the engine is given when it is gone
   */
  constructor(
    channel: ListenedChannel,
    closingEvents: readonly string[],
    frames: FrameWrapping,
    closedMessage: string,
  ) {
    this.#channel = channel;
    this.#closingEvents = closingEvents;
    this.#frames = frames;
    this.#closedMessage = closedMessage;
  }

  /** The engine's handlers, once opened. */
  get handlers(): LinkHandlers | undefined {
    return this.#handlers;
  }

  /** Whether the channel ended or the link was closed: nothing more is sent. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Starts delivering to `handlers`. */
  open(handlers: LinkHandlers): void {
    this.#handlers = handlers;
    this.#open = true;
    // Through shared listeners: every store on `process` (or `parentPort`) is one link on the
    // same channel.
    this.#unsubscribe = [
      listen(this.#channel, 'message', this.#onMessage),
      ...this.#closingEvents.map((event) => listen(this.#channel, event, this.finish)),
    ];
  }

  /** The channel is gone: stop, and tell the engine (once). */
  readonly finish = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#stop();
    this.#handlers?.close(new Error(this.#closedMessage));
  };

  /** The link is closed by its engine: stop, without telling it. */
  close(): void {
    this.#finished = true;
    this.#stop();
  }

  readonly #onMessage = (message?: unknown): void => {
    if (this.#open) this.#handlers?.message(this.#frames.fromMessage(message));
  };

  #stop(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
  }
}
