import { lstat, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** How a side-socket directory is named: `mkdtemp` adds six random characters. */
export const DIRECTORY_PREFIX = 'statewire-';
/** The one entry of a side-socket directory. */
export const SOCKET_NAME = 'host.sock';

const PROBE_TIMEOUT_MS = 1000;
// A host binds its socket a moment before it listens; a connection in between is refused
// too. Refused twice this far apart, the socket has no listener.
const SECOND_PROBE_AFTER_MS = 250;

/**
 * Removes the side-socket directories that hosts killed outright (SIGKILL, the OOM killer)
 * left in `parent`, since such a host runs no code on its way out. A directory is removed
 * only when it is this user's, holds nothing but the socket, and nobody listens on that
 * socket: the directory of a live host (its socket accepts a connection) is left alone.
 * Never throws.
 *
 * @returns how many directories were removed
 */
export async function removeStaleDirectories(parent: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return 0;
  }
  const uid = process.getuid?.();
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(DIRECTORY_PREFIX)) continue;
    const dir = join(parent, name);
    try {
      const info = await lstat(dir);
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
      const entries = await readdir(dir);
      if (entries.length !== 1 || entries[0] !== SOCKET_NAME) continue;
      const socket = join(dir, SOCKET_NAME);
      if (!(await lstat(socket)).isSocket() || !(await nobodyListens(socket))) continue;
      await new Promise((resolve) => setTimeout(resolve, SECOND_PROBE_AFTER_MS));
      if (!(await nobodyListens(socket))) continue;
      await rm(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // Gone meanwhile, or not ours to read: leave it.
    }
  }
  return removed;
}

/** Whether connecting to `path` is refused: the socket file outlived its listener. */
function nobodyListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}
