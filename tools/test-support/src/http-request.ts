import { request } from 'node:http';

/** One HTTP reply: the raw status, headers and body text. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Options of {@link sendRequest}. */
export interface SendRequestOptions {
  headers?: Record<string, string>;
  /**
   * Milliseconds the socket may stay idle before the request fails, so that a server that
   * never answers fails the test rather than hanging it.
   * @default 30000
   */
  timeout?: number;
}

/**
 * Sends one request to 127.0.0.1:`port` on a connection of its own (no agent,
 * `Connection: close`): behind `node:cluster`, the primary then hands each request to any
 * worker.
 *
 * @throws Error (rejects) on a socket error or when the socket is idle for `timeout` ms.
 */
export function sendRequest(
  port: number,
  method: string,
  path: string,
  options: SendRequestOptions = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: options.timeout ?? 30_000,
        headers: { connection: 'close', ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
