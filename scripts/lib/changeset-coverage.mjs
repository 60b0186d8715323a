// The checks behind scripts/check-changesets.sh, against a base commit given as argv[2]:
//
// - every published package with a changed file since the base is named by a changeset
//   added since the base (`changeset status` alone only fails when there is no changeset at
//   all, whatever it names); an empty changeset (`changeset add --empty`) acknowledges that
//   a change needs no release;
// - no package gets a major bump that no changeset asked for. Changesets makes every package
//   with a peerDependency on a package released as minor or major a major release itself
//   (determine-dependents in @changesets/assemble-release-plan), which on 0.x turns 0.1.0
//   into 1.0.0. --allow-forced-major (ALLOW_FORCED_MAJOR=1 in the shell script) accepts it.
//
// Exit codes: 0 ok, 1 a problem, 2 the check could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const base = process.argv[2];
const allowForcedMajor = process.argv.includes('--allow-forced-major');
if (!base) {
  console.error(
    'usage: node scripts/lib/changeset-coverage.mjs <base-commit> [--allow-forced-major]',
  );
  process.exit(2);
}

function git(...args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const rootManifest = readJson(path.join(root, 'package.json'));
const config = readJson(path.join(root, '.changeset', 'config.json'));
const ignored = new Set(config.ignore ?? []);

/** Published workspace packages: name, directory relative to the root. */
function publishedPackages() {
  const found = [];
  for (const pattern of rootManifest.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? existsSync(path.join(root, pattern.slice(0, -2)))
        ? readdirSync(path.join(root, pattern.slice(0, -2))).map((name) =>
            path.posix.join(pattern.slice(0, -2), name),
          )
        : []
      : [pattern];
    for (const dir of dirs) {
      const file = path.join(root, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = readJson(file);
      if (!pkg.private && !ignored.has(pkg.name)) found.push({ name: pkg.name, dir });
    }
  }
  return found;
}

/** Whether a file (relative to its package) counts as a change under changedFilePatterns. */
function counts(fileInPackage) {
  const patterns = config.changedFilePatterns ?? ['**'];
  if (patterns.length === 1 && patterns[0] === '**') return true;
  return patterns.some((pattern) => path.matchesGlob(fileInPackage, pattern));
}

// 1. The release plan of the changesets added since the base, from changesets itself.
const changeset = path.join(root, 'node_modules', '.bin', 'changeset');
if (!existsSync(changeset)) {
  console.error('check-changesets: node_modules/.bin/changeset is missing; run npm install');
  process.exit(2);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'statewire-changesets-'));
const output = path.join(scratch, 'plan.json');
const status = spawnSync(changeset, ['status', `--since=${base}`, `--output=${output}`], {
  cwd: root,
  encoding: 'utf8',
  timeout: 120_000,
});
const plan = existsSync(output) ? readJson(output) : undefined;
rmSync(scratch, { recursive: true, force: true });
if (status.status !== 0 || !plan) {
  const said = `${status.stdout ?? ''}${status.stderr ?? ''}`.trim();
  if (said.includes('no changesets were found')) {
    console.log(
      'check-changesets: FAIL: packages changed since the base but no changeset was added; run `npx changeset` (or `npx changeset --empty` for a change that needs no release)',
    );
    process.exit(1);
  }
  console.error(`check-changesets: \`changeset status\` failed:\n${said}`);
  process.exit(2);
}

// 2. What changed since the base: the same diff changesets uses (tracked files, committed or
// not, against the merge base).
const mergeBase = git('merge-base', base, 'HEAD');
const changedFiles = git('diff', '--name-only', '--no-relative', mergeBase)
  .split('\n')
  .filter(Boolean);
const packages = publishedPackages();
const changed = packages.filter(({ dir }) =>
  changedFiles.some((file) => file.startsWith(`${dir}/`) && counts(file.slice(dir.length + 1))),
);

const named = new Map();
let empty = 0;
for (const entry of plan.changesets) {
  if (entry.releases.length === 0) empty++;
  for (const release of entry.releases) {
    const list = named.get(release.name) ?? [];
    list.push({ id: entry.id, type: release.type });
    named.set(release.name, list);
  }
}

const problems = [];
for (const { name, dir } of changed) {
  if (!named.has(name) && empty === 0)
    problems.push(`${name} (${dir}) changed but no changeset names it; run \`npx changeset\``);
}
const forced = plan.releases.filter(
  (release) =>
    release.type === 'major' &&
    !(named.get(release.name) ?? []).some((entry) => entry.type === 'major'),
);
if (forced.length > 0 && !allowForcedMajor) {
  problems.push(
    `${forced.map((r) => `${r.name} ${r.oldVersion} -> ${r.newVersion}`).join(', ')}: a major bump no changeset asks for. ` +
      'Changesets releases as major every package whose peerDependency range does not include the next version of a package released as minor or major ' +
      '(with onlyUpdatePeerDependentsWhenOutOfRange; without it, always). If the dependent works with that version, widen its peer range to include it ' +
      '(e.g. "^0.1.0 || ^0.2.0") and add a changeset for it; if the major is intended, name it in a changeset or set ALLOW_FORCED_MAJOR=1.',
  );
}

const untracked = git('ls-files', '--others', '--exclude-standard', '--', '.changeset')
  .split('\n')
  .filter((file) => file.endsWith('.md'));

console.log(
  `check-changesets: ${changed.length} published package(s) changed, ${plan.changesets.length} changeset(s) since the base${empty ? ` (${empty} empty)` : ''}`,
);
for (const release of plan.releases) {
  if (release.type === 'none') continue;
  console.log(`  ${release.name} ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
}
if (untracked.length > 0)
  console.log(`  note: not counted until added to git: ${untracked.join(', ')}`);
if (problems.length > 0) {
  for (const problem of problems) console.log(`  FAIL ${problem}`);
  process.exit(1);
}
console.log('check-changesets: ok');
