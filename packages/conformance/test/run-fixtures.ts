import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One test of vitest's JSON report. */
export interface ReportedTest {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  failureMessages: string[];
}

/** One test file of vitest's JSON report. */
export interface ReportedFile {
  name: string;
  status: string;
  message: string;
  assertionResults: ReportedTest[];
}

/** What a child vitest run left behind. */
export interface FixtureRun {
  /** `null` when the run was killed at its bound. */
  exitCode: number | null;
  killed: boolean;
  /** The tail of the child's output, for failure messages only. */
  output: string;
  files: ReportedFile[];
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const vitestEntry = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

/**
 * Runs the suite against the fixture stores in a child vitest (with
 * test/fixtures/vitest.config.ts and the JSON reporter) and returns its report. The child
 * is killed, with its workers, if it has not finished within `boundMs`.
 */
export async function runFixtures(boundMs: number): Promise<FixtureRun> {
  const dir = await mkdtemp(join(tmpdir(), 'statewire-conformance-'));
  const outputFile = join(dir, 'report.json');
  // The parent's own vitest variables would make the child believe it is a worker.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')),
  );
  try {
    const child = spawn(
      process.execPath,
      [
        vitestEntry,
        'run',
        '--config',
        join(packageDir, 'test/fixtures/vitest.config.ts'),
        '--reporter=json',
        `--outputFile=${outputFile}`,
      ],
      {
        cwd: packageDir,
        env: { ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      // The child's process group: vitest and the workers it forked.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, boundMs);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    let files: ReportedFile[] = [];
    try {
      files = (JSON.parse(await readFile(outputFile, 'utf8')) as { testResults: ReportedFile[] })
        .testResults;
    } catch {
      // No report: the assertions say so, with the output.
    }
    return { exitCode, killed, output, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
