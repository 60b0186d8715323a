import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedisServer } from '@statewire/test-redis-server';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  extractSnippets,
  missingExcerptLine,
  type Snippet,
  toModule,
} from '../src/markdown-snippets.js';
import { repoRoot, type TscRun, tsc } from '../src/tsc.js';

// Every TypeScript snippet of the READMEs and docs/ is compiled as its own module under
// strict + exactOptionalPropertyTypes against the workspace packages (their built dist, as
// users get them), with TypeScript 5.9 and 7; the runnable ones are then run with node from
// the system's temporary directory, so that none depends on the directory it is run from.
const markdown = [
  'README.md',
  ...readdirSync(join(repoRoot, 'packages'))
    .map((name) => `packages/${name}/README.md`)
    .filter((file) => existsSync(join(repoRoot, file))),
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const snippets: Snippet[] = markdown.flatMap((file) => extractSnippets(join(repoRoot, file), file));
const compiled = snippets.filter(
  (s) => s.mode === 'run' || s.mode === 'redis' || s.mode === 'compile-only',
);
const runnable = snippets.filter((s) => s.mode === 'run' || s.mode === 'redis');

// The address `redis` snippets are written with; the check runs them against its own server.
const DOCUMENTED_REDIS_URL = 'redis://127.0.0.1:6379';
let redis: RedisServer | undefined;
const nameOf = (s: Snippet) => `${s.file.replaceAll('/', '_').replace(/\.md$/, '')}_${s.line}`;
const label = (s: Snippet) => `${s.file}:${s.line}`;

// Inside this workspace, so that `@statewire/*`, `ioredis` and `@types/node` resolve as in
// an application that installed them; removed before each run.
const dir = fileURLToPath(new URL('../.snippets/', import.meta.url));

function tsconfig(noEmit: boolean) {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'ES2024.String'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      rootDir: '.',
      outDir: 'out',
      noEmit,
    },
    files: compiled.map((s) => `${nameOf(s)}.ts`),
  };
}

/** The snippet as the module to compile, a `redis` one pointed at the check's own server. */
function moduleOf(s: Snippet): string {
  const code = toModule(s);
  return s.mode === 'redis' && redis ? code.replaceAll(DOCUMENTED_REDIS_URL, redis.url) : code;
}

/**
 * Runs the compiled snippet with node from the temporary directory (a `redis` one with
 * `REDIS_URL` naming the check's server). A snippet that does not exit by itself fails.
 */
function runFromElsewhere(s: Snippet): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  if (s.mode === 'redis' && redis) env.REDIS_URL = redis.url;
  else delete env.REDIS_URL;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, 'out', `${nameOf(s)}.js`)],
      { cwd: tmpdir(), timeout: 60_000, env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}${stderr}`.slice(-4000) });
      },
    );
  });
}

/** The compiler's lines about one snippet's file. */
function errorsOf(run: TscRun, s: Snippet): string[] {
  return run.output.split('\n').filter((line) => line.startsWith(`${nameOf(s)}.ts(`));
}

describe('README and docs snippets', () => {
  const runs: Partial<Record<'5.9' | '7', TscRun>> = {};

  beforeAll(async () => {
    if (snippets.some((s) => s.mode === 'redis')) redis = await startRedisServer();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
    for (const s of compiled) writeFileSync(join(dir, `${nameOf(s)}.ts`), moduleOf(s));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig(false), null, 2));
    writeFileSync(join(dir, 'tsconfig.noemit.json'), JSON.stringify(tsconfig(true), null, 2));
    runs['5.9'] = await tsc('5.9', ['-p', 'tsconfig.json'], dir);
    runs['7'] = await tsc('7', ['-p', 'tsconfig.noemit.json'], dir);
  });

  it('finds the snippets of every README', ({ expect }) => {
    for (const file of markdown.filter((f) => f.endsWith('README.md'))) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      if (text.includes('```ts'))
        expect(
          snippets.some((s) => s.file === file),
          file,
        ).toBe(true);
    }
    expect(
      snippets.filter((s) => s.mode === 'skip').length,
      'skips are for fragments only',
    ).toBeLessThan(snippets.length / 3);
  });

  it('the compilers report nothing outside the snippets', ({ expect }) => {
    for (const run of Object.values(runs)) {
      const stray = run.output
        .split('\n')
        .filter((line) => line.trim() !== '' && !/^\S+\.ts\(/.test(line) && !/^\s/.test(line));
      expect(stray).toEqual([]);
    }
  });

  for (const s of compiled) {
    it(`${label(s)} compiles under strict + exactOptionalPropertyTypes (TypeScript 5.9 and 7)`, ({
      expect,
    }) => {
      expect(errorsOf(runs['5.9'] as TscRun, s), 'TypeScript 5.9').toEqual([]);
      expect(errorsOf(runs['7'] as TscRun, s), 'TypeScript 7').toEqual([]);
    });
  }

  afterAll(async () => {
    await redis?.stop();
  });

  for (const s of runnable) {
    const where = s.mode === 'redis' ? ' on a real redis-server' : '';
    it(`${label(s)} runs from another directory${where}`, async ({ expect }) => {
      expect(errorsOf(runs['5.9'] as TscRun, s), 'it compiles').toEqual([]);
      const { code, output } = await runFromElsewhere(s);
      expect(code, output).toBe(0);
    });
  }

  it("docs/writing-a-transport.md states the example's real line count", ({ expect }) => {
    const example = join(repoRoot, 'examples/worker-thread-store');
    const lines = (folder: string) =>
      readdirSync(join(example, folder))
        .filter((name) => name.endsWith('.ts'))
        .map((name) => readFileSync(join(example, folder, name), 'utf8').split('\n').length - 1);
    const source = lines('src');
    const test = lines('test').reduce((a, b) => a + b, 0);
    const total = source.reduce((a, b) => a + b, 0);
    const guide = readFileSync(join(repoRoot, 'docs/writing-a-transport.md'), 'utf8').replace(
      /\s+/g,
      ' ',
    );
    const words = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    expect(guide).toContain(
      `${total} lines of source in ${words[source.length] ?? source.length} files`,
    );
    expect(guide).toContain(`a ${test}-line test (${total + test} lines in all)`);
  });

  for (const s of snippets.filter((x) => x.mode === 'excerpt')) {
    it(`${label(s)} is an excerpt of ${s.source}, line for line`, ({ expect }) => {
      const source = readFileSync(join(repoRoot, s.source ?? ''), 'utf8');
      expect(missingExcerptLine(s.code, source), `a line not in ${s.source}`).toBeUndefined();
    });
  }
});
