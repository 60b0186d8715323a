import type { Serializable } from 'node:child_process';
import { debuglog } from 'node:util';
import type { Link } from '@statewire/core/transport';
import { ChannelReceiver } from './channel-receiver.js';
import type { FrameWrapping } from './frame-wrapping.js';

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
  frames: FrameWrapping,
): Link {
  const receiver = new ChannelReceiver(
    endpoint,
    ['disconnect', 'exit'],
    frames,
    `${label}: IPC channel closed`,
  );
  let unwritten = 0;
  let congested = false;

  const written = (error: Error | null) => {
    unwritten--;
    if (error) {
      receiver.finish();
      return;
    }
    if (congested && unwritten === 0) {
      congested = false;
      receiver.handlers?.drain();
    }
  };

  return {
    label,
    open(handlers) {
      receiver.open(handlers);
      if (endpoint.connected === false || typeof endpoint.send !== 'function')
        setImmediate(receiver.finish);
    },
    send(frame) {
      if (receiver.finished || endpoint.connected === false || typeof endpoint.send !== 'function')
        return true;
      // Wrapping a frame too large to encode throws here: the frame cannot be carried, the
      // channel is fine.
      const { message } = frames.toMessage(frame, 'ipc');
      try {
        unwritten++;
        const accepted = endpoint.send(message as Serializable, written);
        if (!accepted) congested = true;
        return accepted;
      } catch (error) {
        unwritten--;
        if (!isConnected(endpoint)) {
          setImmediate(receiver.finish);
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
      receiver.close();
    },
  };
}

// Read afresh: `send` may have disconnected the endpoint since it was last checked.
function isConnected(endpoint: IpcEndpoint): boolean {
  return endpoint.connected !== false;
}
