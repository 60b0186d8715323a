import type { Socket } from 'node:net';

/** How long a connection refused mid-upload stays half-open before it is destroyed. */
export const LINGER_MS = 2000;

/**
 * Makes Node's HTTP server close `socket` gently after a `Connection: close` response to
 * a request whose body was not read: it sends its FIN, then waits until the client closes
 * (or `ms` passes) before destroying the socket.
 *
 * Destroying it at once, as Node does, makes the kernel answer the unread upload with a
 * reset, and a client still writing its body then fails with `EPIPE`/`ECONNRESET` before
 * it reads the 413 (seen with Node's own client on a busy machine). This is
 * nginx's "lingering close"; what the client sends meanwhile is bounded by `ms`.
 */
export function lingerOnClose(socket: Socket, ms = LINGER_MS): void {
  // destroySoon() is what Node's HTTP server calls once the last response is written.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
