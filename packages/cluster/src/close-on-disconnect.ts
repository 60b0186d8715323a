import cluster from 'node:cluster';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/**
 * Ends the kept-alive connections of an HTTP server in a cluster worker once the
 * supervisor disconnects the worker (a reload or a shutdown), so that it can exit:
 *
 * - every response whose headers are sent after that says `Connection: close`, in
 *   flight or not, and its connection closes once the response is sent;
 * - a connection whose headers had gone out saying keep-alive is closed as soon as its
 *   response is sent.
 *
 * A client that sends its next request on a kept-alive connection at the instant the
 * worker closes it, idle, gets a reset connection (a race HTTP/1.1 leaves to the
 * client: retry an idempotent request on a reused connection that resets).
 *
 * Node's `server.close()`, which a disconnect runs, closes only the connections idle at
 * that instant: a keep-alive client that keeps sending keeps a busy connection open, and
 * the worker serves it until `shutdownTimeoutMs`, when it is killed in the middle of a
 * request. Outside a cluster worker this does nothing.
 *
 * @param server - the worker's HTTP (or HTTPS) server, before or after it listens.
 * @returns `server`
 *
 * @example
 * ```ts
 * closeConnectionsOnDisconnect(app.listen(port));
 * ```
 */
export function closeConnectionsOnDisconnect<S extends HttpServer | HttpsServer>(server: S): S {
  const worker = cluster.worker;
  if (worker === undefined) return server;
  // Set when the primary's disconnect reaches this worker, before its servers close.
  const leaving = () => worker.exitedAfterDisconnect === true;
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    // Decide at the last moment, when the headers go out (`end()`, a first `write()`
    // and `flushHeaders()` all write them through `writeHead`): a response that was
    // in flight when the worker started leaving then closes its connection too.
    const writeHead = response.writeHead as (...args: unknown[]) => ServerResponse;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (leaving() && !this.headersSent) this.setHeader('connection', 'close');
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
    response.once('finish', () => {
      // The headers went out before the worker started leaving and said keep-alive:
      // close the connection once it is idle (on a later turn: it becomes idle after
      // this response is detached).
      if (leaving()) setImmediate(() => server.closeIdleConnections());
    });
  });
  return server;
}
