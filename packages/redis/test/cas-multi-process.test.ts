/**
 * Compare-and-set across real processes (issue 15): 4 forked children run compare-and-set
 * increment loops on one key at once (`getEntry`, then `set` with `ifVersion` or an atomic
 * commit with a check). No update is lost: the final value equals the number of
 * compare-and-sets that applied, on a standalone server and on the 3-master Cluster. The
 * children run the built package (`dist/`), as an application would.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { clusterStore, standaloneStore, uniqueNamespace } from './support/stores.js';

const CHILDREN = 4;
const ATTEMPTS = 150;
const fixture = fileURLToPath(new URL('./fixtures/cas-increment-child.mjs', import.meta.url));

interface ChildReport {
  applied: number;
  conflicts: number;
  failures: string[];
  pending: number;
}

function startChild(config: Record<string, unknown>) {
  const child = fork(fixture, [JSON.stringify(config)], { stdio: 'inherit' });
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const report = new Promise<ChildReport>((resolve, reject) => {
    let result: ChildReport | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('a child did not finish within 50 s'));
    }, 50_000);
    child.on('message', (message: { ready?: boolean } & ChildReport) => {
      if (message.ready) resolveReady();
      else result = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveReady();
      if (code === 0 && result) resolve(result);
      else reject(new Error(`child exited with ${code} ${result ? '' : 'without a report'}`));
    });
  });
  return { child, ready, report };
}

async function race(config: Record<string, unknown>): Promise<ChildReport[]> {
  expect(
    existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url))),
    'the children import dist/: run `npx tsc -b` first',
  ).toBe(true);
  const children = Array.from({ length: CHILDREN }, () => startChild(config));
  await Promise.all(children.map((started) => started.ready));
  for (const { child } of children) if (child.connected) child.send({ go: true });
  return Promise.all(children.map((started) => started.report));
}

function check(reports: ChildReport[], final: unknown): void {
  for (const report of reports) {
    expect(report.failures).toEqual([]);
    expect(report.pending).toBe(0);
    expect(report.applied + report.conflicts).toBe(ATTEMPTS);
  }
  const applied = reports.reduce((sum, report) => sum + report.applied, 0);
  expect(applied).toBeGreaterThan(0);
  expect(final).toBe(applied);
}

describe('redis: compare-and-set from several processes', () => {
  it(`set() with ifVersion and atomic() from ${CHILDREN} processes lose no update (standalone)`, async () => {
    const namespace = uniqueNamespace();
    const reports = await race({
      url: inject('redisUrl'),
      namespace,
      key: 'counter',
      attempts: ATTEMPTS,
    });
    check(reports, await standaloneStore({ namespace }).get('counter'));
  });

  it(`set() with ifVersion and atomic() from ${CHILDREN} processes lose no update (Cluster)`, async () => {
    const namespace = uniqueNamespace();
    const reports = await race({
      clusterNodes: inject('clusterNodes'),
      namespace,
      key: 'counter',
      attempts: ATTEMPTS,
    });
    check(reports, await clusterStore({ namespace }).get('counter'));
  });
});
