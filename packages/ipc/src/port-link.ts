import type { Link, LinkHandlers } from '@statewire/core';
import { type FrameFormat, fromMessage, toMessage } from './frame-format.js';

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
    port.off('message', onMessage);
    port.off('close', finish);
    port.off('exit', finish);
  };

  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      open = true;
      port.on('message', onMessage);
      port.on('close', finish);
      port.on('exit', finish);
    },
    send(frame) {
      if (finished) return true;
      const { message, transfer } = toMessage(frame, format, 'port');
      try {
        port.postMessage(message, transfer);
      } catch {
        // A port whose other end is gone (a terminated worker) throws; report it closed.
        setImmediate(finish);
      }
      return true;
    },
    close() {
      finished = true;
      stop();
    },
  };
}
