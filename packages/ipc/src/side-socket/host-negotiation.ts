import { FRAME_TAG, isTagged, type Link, PROTOCOL_VERSION } from '@statewire/core/transport';
import {
  FRAMES_AS_MAPS,
  SOCKET_DECLINE,
  SOCKET_OFFER,
  SOCKET_REQUEST,
} from './negotiating-link.js';
import type { SideSocketServer } from './socket-server.js';

/** How a host answers side-socket requests on one channel. */
export interface NegotiationPolicy {
  /** This host's codec: requests for it are answered. */
  codec: string;
  /** The socket server, or `undefined` when this host keeps everything on the channel. */
  sockets: SideSocketServer | undefined;
  /** Whether another host in this process answers requests for codec `name`. */
  servedElsewhere: (name: string) => boolean;
}

/**
 * Wraps the IPC link of one channel so that side-socket requests are answered here and
 * never reach the host engine: with an offer (a private socket path and a single-use token)
 * when this host has a socket server, with a decline otherwise, and not at all when another
 * host in this process serves the requested codec. When the channel closes or is closed
 * (detached), the sockets it was offered are closed too.
 */
export function withSocketNegotiation(link: Link, owner: object, policy: NegotiationPolicy): Link {
  const answer = (request: { from?: unknown; codec?: unknown; frames?: unknown }) => {
    const to = request.from;
    if (typeof to !== 'string' || to.length > 64) return;
    if (
      request.codec !== policy.codec &&
      typeof request.codec === 'string' &&
      policy.servedElsewhere(request.codec)
    )
      return;
    const decline = () => link.send({ [FRAME_TAG]: PROTOCOL_VERSION, k: SOCKET_DECLINE, to });
    if (!policy.sockets || request.codec !== policy.codec) {
      decline();
      return;
    }
    // A client of an earlier release says nothing of layouts: it reads records only.
    const layout = request.frames === FRAMES_AS_MAPS ? 'maps' : 'records';
    policy.sockets.offer(owner, link.label, layout).then(
      (offer) =>
        link.send({
          [FRAME_TAG]: PROTOCOL_VERSION,
          k: SOCKET_OFFER,
          to,
          path: offer.path,
          token: offer.token,
          frames: FRAMES_AS_MAPS,
        }),
      decline,
    );
  };
  // A new object that calls `link`'s methods, never a copy of its properties: a link may
  // be a class instance whose methods live on its prototype, which a spread would drop.
  const negotiating: Link = {
    label: link.label,
    send: (frame) => link.send(frame),
    // Detaching the channel (host.attach()'s detach, host.close()) also ends the side
    // sockets its clients moved to; otherwise they would go on being served there. They
    // are ended, not destroyed: the goodbye the host just wrote to them must arrive, so
    // that their clients know their pending calls were not applied.
    close() {
      policy.sockets?.dropOwner(owner, true);
      link.close();
    },
    open(handlers) {
      link.open({
        message: (message) => {
          if (isTagged(message) && message.k === SOCKET_REQUEST)
            answer(message as { from?: unknown; codec?: unknown; frames?: unknown });
          else handlers.message(message);
        },
        close: (reason) => {
          policy.sockets?.dropOwner(owner);
          handlers.close(reason);
        },
        drain: () => handlers.drain(),
      });
    },
  };
  // The optional abilities are offered only when the link has them: the engine treats a
  // link without `pause` as one that cannot stop its input.
  if (link.pause && link.resume) {
    negotiating.pause = () => link.pause?.();
    negotiating.resume = () => link.resume?.();
  }
  if (link.ref) negotiating.ref = () => link.ref?.();
  if (link.unref) negotiating.unref = () => link.unref?.();
  return negotiating;
}
