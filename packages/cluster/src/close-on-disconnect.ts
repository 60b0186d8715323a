import cluster from 'node:cluster';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/**
 * Ends the kept-alive connections of an HTTP server in a cluster worker once the
 * supervisor disconnects the worker (a reload or a shutdown), so that it can exit:
 *
 * - every response started after that says `Connection: close`, and its connection
 *   closes once the response is sent;
 * - a connection whose response was in flight at that moment is closed as soon as the
 *   response is sent.
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
    if (leaving()) {
      if (!response.headersSent) response.setHeader('connection', 'close');
      return;
    }
    response.once('finish', () => {
      // Kept alive, and the worker started leaving meanwhile: close the connection once
      // it is idle (on a later turn: it becomes idle after this response is detached).
      if (leaving()) setImmediate(() => server.closeIdleConnections());
    });
  });
  return server;
}
