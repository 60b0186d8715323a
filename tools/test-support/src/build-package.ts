import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Builds the package at `root` with `tsc -b` (incremental, so cheap when nothing changed):
 * tests run the package's `dist/` in child processes (holders, cluster workers), which must
 * not be stale when vitest is run directly rather than after turbo's build.
 *
 * @throws Error when tsc fails (its diagnostics are printed).
 */
export function buildPackage(root: string): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tsc -b failed in ${root} (exit ${built.status})`);
}
