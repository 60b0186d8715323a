import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Builds dist/ (incrementally), which the fixture primaries import. */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const result = spawnSync(process.execPath, [tsc, '-b'], { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc -b failed in ${cwd} (exit ${result.status})`);
}
