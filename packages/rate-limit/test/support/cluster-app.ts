import { type ChildProcess, fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';

/** An HTTP app served by the workers of a real `node:cluster` primary. */
export interface ClusterApp {
  readonly port: number;
  /** Sends one request on a new connection, so that the primary hands it to any worker. */
  request(method: string, path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Kills the primary; its workers exit with it. */
  stop(): Promise<void>;
}

/** One HTTP reply. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Forks `primary` (a fixture that forks the cluster workers and reports `{ port }` once
 * every worker listens) with `env`, and waits until the app is ready.
 */
export async function startClusterApp(
  primary: string,
  env: Record<string, string>,
): Promise<ClusterApp> {
  const child: ChildProcess = fork(primary, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code, signal) =>
      reject(new Error(`the cluster primary exited (${code ?? signal}) before it was ready`)),
    );
  });
  return {
    port,
    request: (method, path, headers = {}) => send(port, method, path, headers),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      // No agent and `Connection: close`: every request is a new connection.
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { connection: 'close', ...headers },
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
    req.on('error', reject);
    req.end();
  });
}
