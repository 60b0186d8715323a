// removeStaleDirectories() on real Unix domain sockets: only what a dead host left is removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { removeStaleDirectories } from '../dist/side-socket/stale-directories.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function parent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-stale-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function listen(path: string): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  cleanups.push(() => server.close());
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

/** A socket file whose listener died without closing it: a SIGKILLed child's. */
async function deadSocket(path: string): Promise<void> {
  const listener = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.send('up'))`;
  const child = spawn(process.execPath, ['-e', listener], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(existsSync(path)).toBe(true);
}

it('removes a directory whose socket nobody listens on, and only that one', async () => {
  const root = parent();
  const stale = join(root, 'statewire-stale1');
  const live = join(root, 'statewire-live01');
  const crowded = join(root, 'statewire-more01');
  const foreign = join(root, 'other-prefix01');
  for (const dir of [stale, live, crowded, foreign]) mkdirSync(dir, { mode: 0o700 });
  await deadSocket(join(stale, 'host.sock'));
  await listen(join(live, 'host.sock'));
  await deadSocket(join(crowded, 'host.sock'));
  writeFileSync(join(crowded, 'notes.txt'), 'not ours to remove');
  await deadSocket(join(foreign, 'host.sock'));
  mkdirSync(join(root, 'statewire-empty1'));

  expect(await removeStaleDirectories(root)).toBe(1);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(join(live, 'host.sock'))).toBe(true);
  expect(existsSync(join(crowded, 'notes.txt'))).toBe(true);
  expect(existsSync(join(foreign, 'host.sock'))).toBe(true);
  expect(existsSync(join(root, 'statewire-empty1'))).toBe(true);
});

it('never throws, even for a directory that does not exist', async () => {
  expect(await removeStaleDirectories(join(parent(), 'missing'))).toBe(0);
});
