import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The two compilers every check runs under: the repository's TypeScript 5.9 (the root
 * devDependency) and TypeScript 7, this workspace's own devDependency. TypeScript 7 has no
 * compiler API, so both are driven through their `tsc` command line.
 */
export const compilers = {
  '5.9': join(
    dirname(createRequire(join(repoRoot, 'package.json')).resolve('typescript/package.json')),
    'bin/tsc',
  ),
  '7': join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc'),
} as const;

/** One of {@link compilers}. */
export type Compiler = keyof typeof compilers;

/** What a `tsc` run printed, and how it exited. */
export interface TscRun {
  code: number;
  output: string;
}

/** Runs `tsc` of `compiler` with `args` in `cwd`; never rejects on a non-zero exit. */
export function tsc(compiler: Compiler, args: string[], cwd = repoRoot): Promise<TscRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [compilers[compiler], ...args],
      { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}
