import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { type Reply, sendRequest } from './http-request.js';

/** The cluster primary every app runs under: it forks the workers and reports their port. */
const PRIMARY = fileURLToPath(new URL('../fixtures/cluster-primary.mjs', import.meta.url));

/** Where the workers' statewire store lives, as `openWorkerStore()` opens it. */
export type ClusterTransport = 'ipc' | 'redis';

/** Options of {@link startClusterApp}. */
export interface ClusterAppOptions {
  /**
   * Path of the worker module: an HTTP app (Express, say) that listens on port 0 on
   * 127.0.0.1, which the cluster resolves to one port shared by every worker. It opens its
   * statewire store with `openWorkerStore()` from `@statewire/test-support/worker-store`.
   */
  worker: string;
  /**
   * `ipc`: the primary holds the data and the workers reach it over IPC. `redis`: the
   * workers share the run's redis-server (`inject('redisUrl')`).
   */
  transport: ClusterTransport;
  /** The statewire namespace of the workers' store: one of the test's own. */
  namespace: string;
  /**
   * How many workers to fork.
   * @default 4
   */
  workers?: number;
  /** More environment for the workers, read by the worker module. */
  env?: Record<string, string>;
}

/** An HTTP app served by the workers of a real `node:cluster` primary. */
export interface ClusterApp {
  readonly port: number;
  /** Sends one request on a new connection, so that the primary hands it to any worker. */
  request(method: string, path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Kills the primary; its workers exit with it. */
  stop(): Promise<void>;
}

/**
 * Forks a cluster primary that forks `workers` workers running `worker`, and waits until
 * every worker listens. A worker that dies before then fails the start at once.
 *
 * @throws Error when the primary exits before the app is ready.
 */
export async function startClusterApp(options: ClusterAppOptions): Promise<ClusterApp> {
  const child: ChildProcess = fork(PRIMARY, [], {
    env: {
      ...process.env,
      ...options.env,
      WORKER: options.worker,
      WORKERS: String(options.workers ?? 4),
      TRANSPORT: options.transport,
      NAMESPACE: options.namespace,
      ...(options.transport === 'redis' ? { REDIS_URL: inject('redisUrl') } : {}),
    },
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
    request: (method, path, headers = {}) => sendRequest(port, method, path, { headers }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
