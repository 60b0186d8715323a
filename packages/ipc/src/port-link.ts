import { debuglog } from 'node:util';
import type { Link, LinkHandlers } from '@statewire/core';
import { listen } from './channel-listeners.js';
import { type FrameFormat, fromMessage, toMessage } from './frame-format.js';

const debug = debuglog('statewire');

/**
 * A message port: `parentPort` in a worker thread, a `Worker` in its parent, or either end
 * of a `MessageChannel`.
 */
export interface PortEndpoint {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'close' | 'exit', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'close' | 'exit', listener: () => void): unknown;
}

/** A {@link Link} over a message port (worker_threads). Ports have no back-pressure. */
export function createPortLink(port: PortEndpoint, label: string, format: FrameFormat): Link {
  let handlers: LinkHandlers | undefined;
  let open = false;
  let finished = false;
  let unsubscribe: (() => void)[] = [];

  const onMessage = (message: unknown) => {
    if (open) handlers?.message(fromMessage(message));
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    stop();
    handlers?.close(new Error(`${label}: port closed`));
  };
  const stop = () => {
    if (!open) return;
    open = false;
    for (const off of unsubscribe) off();
    unsubscribe = [];
  };

  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      open = true;
      // Through shared listeners: every store on `parentPort` is one link on the same port.
      unsubscribe = [
        listen(port, 'message', onMessage),
        listen(port, 'close', finish),
        listen(port, 'exit', finish),
      ];
    },
    send(frame) {
      if (finished) return true;
      const { message, transfer } = toMessage(frame, format, 'port');
      try {
        port.postMessage(message, transfer);
      } catch (error) {
        // postMessage throws for a message it cannot clone or allocate; a port whose other
        // end is gone drops messages and reports `close` / `exit` instead. Only this frame
        // is lost: the engine answers for its calls.
        debug('%s: a frame could not be posted: %s', label, String(error));
        throw error;
      }
      return true;
    },
    close() {
      finished = true;
      stop();
    },
  };
}
