/**
 * RELIABILITY 39 across real processes: 4 forked children × 500 concurrent increments of
 * one key end at exactly 2000, on a standalone server and on the 3-master Cluster. The
 * children run the built package (`dist/`), as an application would.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { clusterStore, standaloneStore, uniqueNamespace } from './support/stores.js';

const CHILDREN = 4;
const INCREMENTS = 500;
const fixture = fileURLToPath(new URL('./fixtures/increment-child.mjs', import.meta.url));

interface ChildReport {
  ok: number;
  failures: string[];
  pending: number;
}

function runChild(config: Record<string, unknown>): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fixture, [JSON.stringify(config)], { stdio: 'inherit' });
    let report: ChildReport | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('a child did not finish within 45 s'));
    }, 45_000);
    child.on('message', (message) => {
      report = message as ChildReport;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && report) resolve(report);
      else reject(new Error(`child exited with ${code} ${report ? '' : 'without a report'}`));
    });
  });
}

async function incrementFromChildren(config: Record<string, unknown>): Promise<ChildReport[]> {
  expect(
    existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url))),
    'the children import dist/: run `npx tsc -b` first',
  ).toBe(true);
  return Promise.all(Array.from({ length: CHILDREN }, () => runChild(config)));
}

describe('redis: increments from several processes', () => {
  it(`increment() from ${CHILDREN} processes × ${INCREMENTS} at once ends at exactly ${CHILDREN * INCREMENTS} (standalone)`, async () => {
    const namespace = uniqueNamespace();
    const reports = await incrementFromChildren({
      url: inject('redisUrl'),
      namespace,
      key: 'hits',
      count: INCREMENTS,
    });
    for (const report of reports)
      expect(report).toEqual({ ok: INCREMENTS, failures: [], pending: 0 });
    expect(await standaloneStore({ namespace }).get('hits')).toBe(CHILDREN * INCREMENTS);
  });

  it(`increment() from ${CHILDREN} processes × ${INCREMENTS} at once ends at exactly ${CHILDREN * INCREMENTS} (Cluster)`, async () => {
    const namespace = uniqueNamespace();
    const reports = await incrementFromChildren({
      clusterNodes: inject('clusterNodes'),
      namespace,
      key: 'hits',
      count: INCREMENTS,
    });
    for (const report of reports)
      expect(report).toEqual({ ok: INCREMENTS, failures: [], pending: 0 });
    expect(await clusterStore({ namespace }).get('hits')).toBe(CHILDREN * INCREMENTS);
  });
});
