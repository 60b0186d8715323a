import { debuglog } from 'node:util';
import type { Link } from '@statewire/core/transport';
import { ChannelReceiver } from './channel-receiver.js';
import type { FrameWrapping } from './frame-wrapping.js';

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
export function createPortLink(port: PortEndpoint, label: string, frames: FrameWrapping): Link {
  const receiver = new ChannelReceiver(port, ['close', 'exit'], frames, `${label}: port closed`);

  return {
    label,
    open(handlers) {
      receiver.open(handlers);
    },
    send(frame) {
      if (receiver.finished) return true;
      const { message, transfer } = frames.toMessage(frame, 'port');
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
      receiver.close();
    },
  };
}
