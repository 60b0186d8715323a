import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A message the fixture primary sends over IPC (see fixtures/primary.mjs). */
export interface Report {
  event: string;
  pid?: number;
  pids?: number[];
  [key: string]: unknown;
}

export interface Primary {
  readonly child: ChildProcess;
  /** Every report so far, in order. */
  readonly reports: Report[];
  /** Everything the primary wrote to stderr (the supervisor's default logger). */
  stderr(): string;
  /** The first report at index `from` or later that matches; rejects if the primary exits first. */
  waitFor(match: (report: Report) => boolean, from?: number): Promise<Report>;
  send(message: { cmd: string }): void;
  /** Resolves with how the primary exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const primaryPath = fileURLToPath(new URL('./fixtures/primary.mjs', import.meta.url));
const started = new Set<Primary>();

/** A TCP port that was free a moment ago (listening on port 0 is not shared by cluster workers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Starts fixtures/primary.mjs with these supervise() options and worker environment. */
export function startPrimary(options: object, env: Record<string, string> = {}): Primary {
  const child = spawn(process.execPath, [primaryPath], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...env, SUPERVISE_OPTIONS: JSON.stringify(options) },
  });
  const reports: Report[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let exitedWith: string | undefined;
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.on('message', (message) => {
    reports.push(message as Report);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = `code ${code}, signal ${signal}`;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });

  const primary: Primary = {
    child,
    reports,
    exited,
    stderr: () => stderr,
    send: (message) => child.send(message),
    waitFor: (match, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = reports.slice(from).find(match);
          if (found) {
            waiters.delete(check);
            resolve(found);
          } else if (exitedWith !== undefined) {
            waiters.delete(check);
            reject(new Error(`primary exited (${exitedWith}) first; stderr:\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
  started.add(primary);
  return primary;
}

/** Kills every primary started by this file's tests, and every worker they reported. */
export async function killAll(): Promise<void> {
  const primaries = [...started];
  started.clear();
  for (const primary of primaries) {
    for (const report of primary.reports) {
      if (report.event === 'fork' && typeof report.pid === 'number') {
        try {
          process.kill(report.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    if (primary.child.exitCode === null && primary.child.signalCode === null) {
      primary.child.kill('SIGKILL');
    }
  }
  await Promise.all(primaries.map((primary) => primary.exited));
}

export interface Response {
  status: number;
  body: string;
}

/** One GET on a fresh connection (no keep-alive), failing after 10 s. */
export function get(port: number, path = '/'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Pids of the workers forked so far, from the primary's reports. */
export function forkedPids(primary: Primary, from = 0): number[] {
  return primary.reports
    .slice(from)
    .filter((report) => report.event === 'fork')
    .map((report) => report.pid as number);
}
