import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The monorepo root and the built demo entry, as the README's `npm start` runs it. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const demoMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A free loopback port (briefly bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A running demo: its process, its output so far, and helpers. */
export interface DemoProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** Resolves when the output contains `text` (rejects after `ms`). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  /** Resolves with the exit code, or rejects after `ms`. */
  exited(ms?: number): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts the demo with `command` (default: node on the built main.js, what `npm start`
 * runs after building) and waits until it says it serves.
 */
export async function startDemo(
  env: Record<string, string>,
  command: string[] = [process.execPath, demoMain],
): Promise<DemoProcess> {
  const port = await freePort();
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), WORKERS: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const demo: DemoProcess = {
    child,
    port,
    output: () => text,
    waitFor(pattern, ms = 60_000) {
      const matches = () =>
        typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      if (matches()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`demo did not print ${String(pattern)} within ${ms} ms; output:\n${text}`),
          );
        }, ms);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    exited(ms = 60_000) {
      return Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`demo did not exit within ${ms} ms`)), ms).unref(),
        ),
      ]);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Ctrl+C first, to the whole process group: npm and turbo pass it on to the demo, which
      // turbo may run outside this group, so a SIGKILL of the group alone could orphan it.
      const group = -(child.pid as number);
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(group, name);
        } catch {
          // already gone
        }
      };
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
      signal('SIGKILL');
    },
  };
  await demo.waitFor('statewire demo on http://localhost:');
  return demo;
}
