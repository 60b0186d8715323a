import type { Serializable } from 'node:child_process';
import type { Link, LinkHandlers } from '@statewire/core';
import { type FrameFormat, fromMessage, toMessage } from './frame-format.js';

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
    endpoint.off('message', onMessage);
    endpoint.off('disconnect', finish);
    endpoint.off('exit', finish);
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
      endpoint.on('message', onMessage);
      endpoint.on('disconnect', finish);
      endpoint.on('exit', finish);
      if (endpoint.connected === false || typeof endpoint.send !== 'function') setImmediate(finish);
    },
    send(frame) {
      if (finished || endpoint.connected === false || typeof endpoint.send !== 'function')
        return true;
      const { message } = toMessage(frame, format, 'ipc');
      try {
        unwritten++;
        const accepted = endpoint.send(message as Serializable, written);
        if (!accepted) congested = true;
        return accepted;
      } catch {
        // Node throws synchronously only when the channel is already closed.
        unwritten--;
        setImmediate(finish);
        return true;
      }
    },
    close() {
      finished = true;
      stop();
    },
  };
}
