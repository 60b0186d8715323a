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
 * runs after building) and waits until it prints `readyText` (default: that it serves).
 * Set `readyText` to `null` to return at once (a demo expected to fail).
 */
export async function startDemo(
  env: Record<string, string>,
  command: string[] = [process.execPath, demoMain],
  readyText: string | RegExp | null = 'statewire demo on http://localhost:',
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
  let closed = false;
  child.once('close', () => {
    closed = true;
  });
  const demo: DemoProcess = {
    child,
    port,
    output: () => text,
    waitFor(pattern, ms = 60_000) {
      const matches = () =>
        typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
      if (matches()) return Promise.resolve();
      if (closed)
        return Promise.reject(new Error(`demo exited without printing ${String(pattern)}`));
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', onClose);
          reject(new Error(`demo ${why} ${String(pattern)}; output:\n${text}`));
        };
        const timer = setTimeout(() => fail(`did not print, within ${ms} ms,`), ms);
        // Once its output is closed, a demo that has not printed it never will.
        const onClose = () => {
          if (!matches()) fail(`exited (code ${child.exitCode}) without printing`);
        };
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', onClose);
          resolve();
        };
        listeners.add(check);
        child.once('close', onClose);
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
  try {
    if (readyText !== null) await demo.waitFor(readyText);
  } catch (error) {
    // The caller never gets the handle to stop it: stop it here, or it outlives the test.
    await demo.stop();
    throw error;
  }
  return demo;
}
