import { randomUUID } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import { debuglog } from 'node:util';
import type { FrameLayout } from '@statewire/core/msgpack';
import {
  FRAME_TAG,
  isTagged,
  type Link,
  type LinkHandlers,
  PROTOCOL_VERSION,
} from '@statewire/core/transport';
import { createSocketLink, writeFrame } from './socket-link.js';

/** Frames of the side-socket negotiation, carried on the IPC channel. */
export const SOCKET_REQUEST = 'socket?';
export const SOCKET_OFFER = 'socket!';
export const SOCKET_DECLINE = 'socket-no';
/**
 * What a request and an offer say (`frames`) when their sender reads frames laid out as
 * plain msgpack maps; each side writes maps only to a peer that said it.
 */
export const FRAMES_AS_MAPS = 'maps';

const RETRY_MS = [0, 50, 100, 200, 400, 800];

const debug = debuglog('statewire');

/**
 * A client {@link Link} that asks the host, over the IPC channel, for a private side socket
 * and moves every frame to it once connected; when the host declines, does not answer
 * within `negotiationTimeout`, or the socket cannot be reached, frames stay on the IPC
 * channel. Frames sent meanwhile are held and sent in order. The IPC channel stays watched:
 * when it closes, the link closes too.
 */
export function createNegotiatingLink(
  ipc: Link,
  codec: string,
  maxFrameBytes: number,
  negotiationTimeout: number,
): Link {
  const nonce = randomUUID();
  let handlers: LinkHandlers | undefined;
  let mode: 'negotiating' | 'socket' | 'ipc' = 'negotiating';
  let held: object[] = [];
  let socketLink: Link | undefined;
  // Frames sent on the side socket before the host said anything on it: until then the host
  // may yet refuse the socket (a token it no longer knows: this process was blocked past the
  // offer's lifetime), and these go to the IPC channel instead. They can only be hellos and
  // goodbyes: a client sends calls only once the host's welcome arrived.
  let unconfirmed: object[] | undefined;
  let finished = false;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  const deadline = performance.now() + negotiationTimeout;

  const finish = (reason?: unknown) => {
    if (finished) return;
    finished = true;
    if (retry) clearTimeout(retry);
    socketLink?.close();
    ipc.close();
    handlers?.close(reason);
  };
  const settle = (next: 'socket' | 'ipc', link: Link) => {
    if (mode !== 'negotiating' || finished) return;
    if (retry) clearTimeout(retry);
    retry = undefined;
    mode = next;
    const frames = held;
    held = [];
    for (const frame of frames) sendHeld(link, frame);
  };
  const sendHeld = (link: Link, frame: object) => {
    try {
      link.send(frame);
    } catch (error) {
      // A frame the carrier cannot take (too large to serialize) is lost alone; its calls
      // time out. Legal frames fit by the agreed limits; this must not crash the process.
      debug('%s: a held frame could not be sent: %s', ipc.label, String(error));
    }
  };
  const sendOnIpc = (frame: object) => sendHeld(ipc, frame);
  const ask = () => {
    retry = undefined;
    if (mode !== 'negotiating' || finished) return;
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      settle('ipc', ipc);
      return;
    }
    ipc.send({
      [FRAME_TAG]: PROTOCOL_VERSION,
      k: SOCKET_REQUEST,
      from: nonce,
      codec,
      frames: FRAMES_AS_MAPS,
    });
    const delay = RETRY_MS[Math.min(++attempt, RETRY_MS.length - 1)] as number;
    retry = setTimeout(ask, Math.min(delay, remaining));
    retry.unref();
  };
  const useSocket = (path: string, token: string, layout: FrameLayout) => {
    const socket = connectSocket(path);
    socket.on('error', () => settle('ipc', ipc));
    socket.once('connect', () => {
      if (mode !== 'negotiating' || finished) {
        socket.destroy();
        return;
      }
      writeFrame(socket, Buffer.from(token, 'latin1'));
      const link = createSocketLink(
        socket,
        `${ipc.label} (side socket)`,
        maxFrameBytes,
        undefined,
        layout,
      );
      unconfirmed = [...held];
      link.open({
        message: (message) => {
          unconfirmed = undefined;
          handlers?.message(message);
        },
        close: (reason) => {
          if (unconfirmed === undefined || finished) {
            finish(reason);
            return;
          }
          // Closed by the host before it answered on it: the IPC channel carries on.
          debug(
            '%s: the side socket closed before the host answered on it; staying on IPC',
            ipc.label,
          );
          const frames = unconfirmed;
          unconfirmed = undefined;
          socketLink = undefined;
          mode = 'ipc';
          for (const frame of frames) sendOnIpc(frame);
        },
        drain: () => handlers?.drain(),
      });
      socketLink = link;
      settle('socket', link);
    });
  };
  const onIpcMessage = (message: unknown) => {
    if (isTagged(message) && (message as { to?: unknown }).to === nonce) {
      const frame = message as { k?: unknown; path?: unknown; token?: unknown; frames?: unknown };
      if (
        frame.k === SOCKET_OFFER &&
        typeof frame.path === 'string' &&
        typeof frame.token === 'string'
      ) {
        if (mode === 'negotiating' && retry !== undefined) {
          clearTimeout(retry);
          retry = undefined;
          // A host of an earlier release says nothing of layouts: it reads records only.
          useSocket(frame.path, frame.token, frame.frames === FRAMES_AS_MAPS ? 'maps' : 'records');
        }
      } else if (frame.k === SOCKET_DECLINE) {
        settle('ipc', ipc);
      }
      return;
    }
    handlers?.message(message);
  };

  return {
    label: ipc.label,
    open(linkHandlers) {
      handlers = linkHandlers;
      ipc.open({
        message: onIpcMessage,
        close: (reason) => finish(reason),
        drain: () => {
          if (mode !== 'socket') handlers?.drain();
        },
      });
      ask();
    },
    send(frame) {
      if (finished) return true;
      if (mode === 'negotiating') {
        held.push(frame);
        return true;
      }
      if (mode === 'socket') {
        unconfirmed?.push(frame);
        return (socketLink as Link).send(frame);
      }
      return ipc.send(frame);
    },
    close() {
      if (finished) return;
      finished = true;
      if (retry) clearTimeout(retry);
      socketLink?.close();
      ipc.close();
    },
    ref: () => socketLink?.ref?.(),
    unref: () => socketLink?.unref?.(),
  };
}
