import type { MessagePort } from 'node:worker_threads';
import type { Link, LinkHandlers } from '@statewire/core/transport';

/** A {@link Link} over one end of a `MessageChannel`, for both ends: all this adds to core. */
export function createPortLink(port: MessagePort, label: string): Link {
  let handlers: LinkHandlers | undefined;
  const onMessage = (message: unknown) => handlers?.message(message);
  // A port closes when either end calls close() or the thread holding the other end exits.
  const onClose = () => finish(new Error(`${label}: the port closed`));
  // Stops delivering, and reports why to the engine once (nothing when it closed the link).
  const finish = (reason: unknown) => {
    const closing = handlers;
    handlers = undefined;
    port.off('message', onMessage).off('close', onClose);
    if (reason !== undefined) closing?.close(reason);
  };
  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      port.on('message', onMessage).on('close', onClose); // a 'message' listener starts it
    },
    send(frame) {
      // A closed port drops what is posted; an uncloneable frame throws, as the contract allows.
      port.postMessage(frame);
      return true; // Message ports have no back-pressure: never congested.
    },
    close() {
      finish(undefined);
      port.close();
    },
    // Pending calls ref the link, an idle store unrefs it: it never keeps the process alive.
    ref: () => port.ref(),
    unref: () => port.unref(),
  };
}
