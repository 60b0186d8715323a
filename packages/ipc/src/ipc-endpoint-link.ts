import type { Serializable } from 'node:child_process';
import { debuglog } from 'node:util';
import type { Link, LinkHandlers } from '@statewire/core';
import { listen } from './channel-listeners.js';
import { type FrameFormat, fromMessage, toMessage } from './frame-format.js';

const debug = debuglog('statewire');

/**
 * A Node IPC endpoint: `process` in a forked child or cluster worker, or the parent's
 * `ChildProcess` (a cluster worker's `worker.process`).
 */
export interface IpcEndpoint {
  send?(message: Serializable, callback: (error: Error | null) => void): boolean;
  readonly connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect' | 'exit', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect' | 'exit', listener: () => void): unknown;
}

/**
 * A {@link Link} over a Node IPC channel. It checks `connected` before every send and
 * passes a callback, so a send to an exited process never throws `ERR_IPC_CHANNEL_CLOSED`
 * nor emits an unhandled `'error'`; `send()` returning `false` is reported as congestion
 * and the link drains when Node has written the backlog.
 */
export function createIpcEndpointLink(
  endpoint: IpcEndpoint,
  label: string,
  format: FrameFormat,
): Link {
  let handlers: LinkHandlers | undefined;
  let open = false;
  let finished = false;
  let unwritten = 0;
  let congested = false;
  let unsubscribe: (() => void)[] = [];

  const onMessage = (message: unknown) => {
    if (open) handlers?.message(fromMessage(message));
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    stop();
    handlers?.close(new Error(`${label}: IPC channel closed`));
  };
  const stop = () => {
    if (!open) return;
    open = false;
    for (const off of unsubscribe) off();
    unsubscribe = [];
  };
  const written = (error: Error | null) => {
    unwritten--;
    if (error) {
      finish();
      return;
    }
    if (congested && unwritten === 0) {
      congested = false;
      handlers?.drain();
    }
  };

  return {
    label,
    open(linkHandlers) {
      handlers = linkHandlers;
      open = true;
      // Through shared listeners: every store on `process` is one link on the same endpoint.
      unsubscribe = [
        listen(endpoint, 'message', onMessage),
        listen(endpoint, 'disconnect', finish),
        listen(endpoint, 'exit', finish),
      ];
      if (endpoint.connected === false || typeof endpoint.send !== 'function') setImmediate(finish);
    },
    send(frame) {
      if (finished || endpoint.connected === false || typeof endpoint.send !== 'function')
        return true;
      // Packing a frame too large for a string throws here: the frame cannot be carried,
      // the channel is fine.
      const { message } = toMessage(frame, format, 'ipc');
      try {
        unwritten++;
        const accepted = endpoint.send(message as Serializable, written);
        if (!accepted) congested = true;
        return accepted;
      } catch (error) {
        unwritten--;
        if (!isConnected(endpoint)) {
          setImmediate(finish);
          return true;
        }
        // Node throws for a message it cannot serialize (a JSON text over its string
        // limit, a value `advanced` serialization cannot clone) with the channel still
        // open: only this frame is lost, and the engine answers for its calls.
        debug('%s: a frame could not be sent: %s', label, String(error));
        throw error;
      }
    },
    close() {
      finished = true;
      stop();
    },
  };
}

// Read afresh: `send` may have disconnected the endpoint since it was last checked.
function isConnected(endpoint: IpcEndpoint): boolean {
  return endpoint.connected !== false;
}
