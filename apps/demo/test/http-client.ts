import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/** A response: status and parsed JSON body (or the raw text). */
export interface JsonResponse {
  status: number;
  body: unknown;
  headers: IncomingHttpHeaders;
}

const agent = new Agent({ keepAlive: false, maxSockets: 200 });

/** One HTTP request to the demo on loopback, on a fresh connection; rejects on a socket error. */
export function call(
  port: number,
  method: string,
  path: string,
  body?: string,
  timeout = 30_000,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, method, path, agent, timeout, headers };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (the page)
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Keeps `concurrency` loops of `POST /hits` running until `stop()`; counts acknowledged
 * (200) increments, failures, and the pids that answered.
 */
export function hitLoad(port: number, concurrency: number) {
  // Short: a connection that the cluster primary handed to a worker as it was killed is
  // never answered nor closed by Node; such a request counts as failed.
  const timeout = 5000;
  let running = true;
  const stats = { acknowledged: 0, failed: 0, pids: new Set<number>(), errors: [] as string[] };
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const res = await call(port, 'POST', '/hits', undefined, timeout);
        if (res.status === 200) {
          stats.acknowledged++;
          stats.pids.add((res.body as { pid: number }).pid);
        } else {
          stats.failed++;
          stats.errors.push(`status ${res.status}: ${JSON.stringify(res.body)}`);
        }
      } catch (error) {
        stats.failed++;
        stats.errors.push((error as Error).message);
      }
    }
  });
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}
