import type { MessagePort } from 'node:worker_threads';
import type { Link, LinkHandlers } from '@statewire/core';

/**
 * A {@link Link} over one end of a `MessageChannel`: the whole transport-specific part of
 * this example. It moves frames and nothing else: request ids, timeouts, batching, the
 * handshake and dispatch are done by core's `ClientEngine` and `HostEngine` on either end.
 *
 * Both ends use it: the client engine in the thread that made the store, the host engine in
 * the holder thread. Frames cross with `postMessage` (a structured clone), so they are never
 * shared between threads; values inside them are already encoded by the codec.
 */
export function createPortLink(port: MessagePort, label: string): Link {
  let handlers: LinkHandlers | undefined;
  let finished = false;

  const onMessage = (message: unknown) => handlers?.message(message);
  // Reports the carrier closed, once: the engines then reject or drop what was pending.
  const finish = (reason: unknown) => {
    if (finished) return;
    finished = true;
    detach();
    handlers?.close(reason);
  };
  // A port closes when either end calls close() or the thread holding the other end exits.
  const onClose = () => finish(new Error(`${label}: the port closed`));
  const detach = () => {
    port.off('message', onMessage);
    port.off('close', onClose);
  };

  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      // Adding a 'message' listener starts the port.
      port.on('message', onMessage);
      port.on('close', onClose);
    },
    send(frame) {
      if (finished) return true;
      try {
        port.postMessage(frame);
      } catch (error) {
        // postMessage throws only for what cannot be cloned or a port already gone; the
        // engines send plain frames, so report the carrier closed rather than throw.
        setImmediate(() => finish(error));
      }
      // Message ports have no back-pressure: never congested.
      return true;
    },
    close() {
      if (finished) return;
      finished = true;
      detach();
      port.close();
    },
    // The client engine refs the link while calls are pending and unrefs it when idle, so
    // an idle store never keeps its process alive.
    ref: () => port.ref(),
    unref: () => port.unref(),
  };
}
