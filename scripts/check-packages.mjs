#!/usr/bin/env node
// Checks every published workspace package the way a registry consumer will see it:
// the package.json fields we promise (exports with `types` first, `./package.json`, files,
// sideEffects, publishConfig, repository.directory, keywords, license, engines), the packed
// file list, then publint (strict: warnings fail) and `attw --pack . --profile esm-only`.
// It builds nothing: run it after `npm run build`. Exits 1 on any problem, 2 when a tool is
// missing.
//
//   node scripts/check-packages.mjs [--verbose] [package-name ...]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const only = new Set(args.filter((arg) => !arg.startsWith('--')));
// One tool run packs and analyses one package; on two busy cores a minute is plenty.
const TOOL_TIMEOUT_MS = 120_000;

const rootManifest = readJson(join(root, 'package.json'));

/** Workspace directories from the root `workspaces` globs (only `dir/*` and plain paths). */
function workspaceDirs() {
  const dirs = [];
  for (const pattern of rootManifest.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (entry.isDirectory() && existsSync(join(parent, entry.name, 'package.json')))
          dirs.push(join(parent, entry.name));
      }
    } else if (existsSync(join(root, pattern, 'package.json'))) {
      dirs.push(join(root, pattern));
    }
  }
  return dirs;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Finds a tool's bin in the root node_modules, then on PATH. */
function findTool(name) {
  const dirs = [join(root, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter)];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Runs a command with a time bound; resolves its exit status and output, never rejects. */
function run(command, commandArgs, cwd) {
  return new Promise((resolveRun) => {
    const child = spawn(command, commandArgs, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', npm_config_update_notifier: 'false' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${TOOL_TIMEOUT_MS / 1000}s)`;
      child.kill('SIGKILL');
    }, TOOL_TIMEOUT_MS);
    const done = (ok, extra = '') => {
      clearTimeout(timer);
      const output = `${stdout}${stderr}${extra}`.trim();
      resolveRun({ ok, stdout, output });
    };
    child.on('error', (error) => done(false, `\n${error.message}`));
    child.on('close', (code) => done(code === 0));
  });
}

/** The metadata rules every published package follows (CONTRIBUTING.md, docs/architecture.md). */
function checkManifest(dir, pkg) {
  const problems = [];
  const where = relative(root, dir).split('\\').join('/');
  if (pkg.type !== 'module') problems.push('"type" must be "module"');
  if (pkg.sideEffects !== false) problems.push('"sideEffects" must be false');
  if (pkg.publishConfig?.access !== 'public')
    problems.push('"publishConfig.access" must be "public"');
  if (!pkg.license) problems.push('"license" is missing');
  if (!pkg.description) problems.push('"description" is missing');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0)
    problems.push('"keywords" must be a non-empty array');
  if (typeof pkg.repository !== 'object' || !pkg.repository?.url)
    problems.push('"repository" must be an object with "url"');
  else if (pkg.repository.directory !== where)
    problems.push(
      `"repository.directory" must be "${where}", is ${JSON.stringify(pkg.repository.directory)}`,
    );
  const engines = rootManifest.engines?.node;
  if (pkg.engines?.node !== engines)
    problems.push(
      `"engines.node" must be "${engines}" like the root, is ${JSON.stringify(pkg.engines?.node)}`,
    );
  if (!Array.isArray(pkg.files) || !pkg.files.includes('dist'))
    problems.push('"files" must be an array that includes "dist"');

  const exports = pkg.exports;
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) {
    problems.push('"exports" must be an object of subpaths');
    return problems;
  }
  if (!('.' in exports)) problems.push('"exports" has no "." entry');
  if (exports['./package.json'] !== './package.json')
    problems.push('"exports" must map "./package.json" to "./package.json"');
  for (const [subpath, target] of Object.entries(exports)) {
    if (subpath === './package.json') continue;
    if (typeof target !== 'object' || target === null) {
      problems.push(`exports["${subpath}"] must be a conditions object with "types" first`);
      continue;
    }
    const conditions = Object.keys(target);
    if (conditions[0] !== 'types')
      problems.push(
        `exports["${subpath}"]: "types" must be the first condition, is "${conditions[0]}"`,
      );
    for (const file of Object.values(target)) {
      if (typeof file === 'string' && !existsSync(join(dir, file)))
        problems.push(
          `exports["${subpath}"] points at ${file}, which does not exist (run npm run build first)`,
        );
    }
  }
  return problems;
}

/** What `npm pack` would put in the tarball: no tests, no build info; a README. */
async function checkPackedFiles(dir) {
  const result = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], dir);
  if (!result.ok) return { problems: [`npm pack --dry-run failed:\n${result.output}`], notes: [] };
  let files;
  try {
    files = JSON.parse(result.stdout)[0].files.map((file) => file.path);
  } catch {
    return { problems: [`could not read npm pack output:\n${result.output}`], notes: [] };
  }
  const problems = [];
  const notes = [];
  for (const file of files) {
    if (/(^|\/)test\//.test(file) || /\.test(-d)?\.[cm]?[jt]s$/.test(file))
      problems.push(`the tarball contains a test file: ${file}`);
    if (file.endsWith('.tsbuildinfo')) problems.push(`the tarball contains build info: ${file}`);
  }
  if (!files.some((file) => /^readme(\.md)?$/i.test(file)))
    problems.push('the tarball has no README.md');
  if (!files.some((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file)))
    notes.push('the tarball has no LICENSE file (npm does not copy the root one)');
  return { problems, notes, count: files.length };
}

const publint = findTool('publint');
const attw = findTool('attw');
if (!publint || !attw) {
  console.error(
    `check-packages: ${publint ? '' : 'publint '}${attw ? '' : 'attw '}not found; ` +
      'add "publint": "0.3.25" and "@arethetypeswrong/cli": "0.18.5" to the root devDependencies and run npm install',
  );
  process.exit(2);
}

const packages = workspaceDirs()
  .map((dir) => ({ dir, pkg: readJson(join(dir, 'package.json')) }))
  .filter(({ pkg }) => !pkg.private && (only.size === 0 || only.has(pkg.name)));
if (packages.length === 0) {
  console.error('check-packages: no published package found');
  process.exit(1);
}

async function checkPackage({ dir, pkg }) {
  const t0 = performance.now();
  const problems = checkManifest(dir, pkg);
  const [packed, lint, types] = await Promise.all([
    checkPackedFiles(dir),
    run(publint, ['--strict', '--level', 'suggestion'], dir),
    run(attw, ['--pack', '.', '--profile', 'esm-only', '--no-color', '--no-emoji'], dir),
  ]);
  problems.push(...packed.problems);
  if (!lint.ok) problems.push(`publint --strict:\n${lint.output}`);
  if (!types.ok) problems.push(`attw --pack . --profile esm-only:\n${types.output}`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const lines = [];
  if (problems.length === 0) {
    lines.push(`ok   ${pkg.name}@${pkg.version} (${packed.count} files, ${seconds}s)`);
    for (const note of packed.notes) lines.push(`     note: ${note}`);
    if (verbose) lines.push(lint.output, types.output);
  } else {
    lines.push(`FAIL ${pkg.name}@${pkg.version} (${relative(root, dir)})`);
    for (const problem of problems) lines.push(`  - ${problem.split('\n').join('\n    ')}`);
  }
  // One package's report at a time, whatever order they finish in.
  console.log(lines.join('\n'));
  return problems.length === 0;
}

const started = performance.now();
const queue = [...packages];
const results = [];
// Each package is packed twice (publint, attw) by separate npm processes, so a few at once
// keep two cores busy without thrashing.
const workers = Array.from({ length: Math.min(3, availableParallelism() + 1) }, async () => {
  for (let next = queue.shift(); next; next = queue.shift()) results.push(await checkPackage(next));
});
await Promise.all(workers);
const failed = results.filter((ok) => !ok).length;
const total = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `check-packages: ${packages.length - failed} passed, ${failed} failed (publint --strict, attw esm-only; ${total}s)`,
);
process.exit(failed === 0 ? 0 : 1);
