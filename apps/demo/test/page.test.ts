import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { type Browser, ensureChromium, launchChromium } from './chromium.js';
import { type DemoProcess, startDemo } from './demo-process.js';
import { call } from './http-client.js';

// Issue 17: the page showed one counter and a worker list that never refreshed, and
// keep-alive sent every click to the same worker. Now it refreshes live and its burst
// button shows requests spreading over the workers; checked in a real Chromium.
let demo: DemoProcess | undefined;
let browser: Browser | undefined;
let keepFiles = false;
beforeAll(async () => {
  ensureChromium();
  demo = await startDemo({ STATEWIRE_TRANSPORT: 'ipc', WORKERS: '2' });
  browser = await launchChromium();
}, 1_200_000);
afterAll(async () => {
  await browser?.close(keepFiles);
  await demo?.stop();
});

interface Row {
  pid: number;
  served: number;
}

it('the page refreshes live, bursts spread over the workers, and renders its numbers', async () => {
  const { port } = demo as DemoProcess;
  const { context, dir } = browser as Browser;
  onTestFailed(() => {
    keepFiles = true;
    console.error(`the page test's files (screenshot) are kept in ${dir}`);
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');

  const rows = () =>
    page.$$eval('#workers tr', (trs) =>
      trs.map((tr) => ({
        pid: Number(tr.querySelector('.pid')?.textContent),
        served: Number(tr.querySelector('.served')?.textContent),
      })),
    );
  const stats = (await call(port, 'GET', '/stats')).body as { workers: Row[] };
  const pids = stats.workers.map((w) => w.pid);
  expect(pids).toHaveLength(2);
  expect(pids.every((pid) => pid > 0)).toBe(true);
  expect((await rows()).map((r) => r.pid).sort()).toEqual([...pids].sort());

  // Requests from outside show up on the page without a reload: counter and per-worker counts.
  const before = Number(await page.textContent('#hits'));
  for (let i = 0; i < 10; i++) await call(port, 'POST', '/hits');
  await page.waitForFunction(
    (target) => Number(document.getElementById('hits')?.textContent) >= target,
    before + 10,
  );
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('#workers .served')].reduce(
        (sum, td) => sum + Number(td.textContent),
        0,
      ) >= 10,
  );

  // The burst: every request on a new connection, answered by both workers.
  await page.click('#burst');
  await page.waitForFunction(() => document.getElementById('burst-summary')?.textContent !== '');
  const spread = await page.$$eval('#spread li', (items) =>
    items.map((li) => ({ pid: Number(li.dataset.pid), count: Number(li.dataset.count) })),
  );
  expect(spread.length).toBeGreaterThanOrEqual(2);
  expect(spread.every((s) => pids.includes(s.pid) && s.count > 0)).toBe(true);
  expect(spread.reduce((sum, s) => sum + s.count, 0)).toBe(60);
  expect(await page.textContent('#burst-summary')).toBe('60 answered by 2 workers');

  // Requests per second: shown non-zero while requests flow (a background loop keeps them
  // flowing until the page has shown it, so no timing window can be missed).
  let flowing = true;
  const load = (async () => {
    while (flowing) await call(port, 'POST', '/hits');
  })();
  try {
    await page.waitForFunction(() => Number(document.getElementById('rps')?.textContent) > 0);
  } finally {
    flowing = false;
    await load;
  }
  const live = await rows();
  expect(live.every((r) => pids.includes(r.pid) && r.served > 0)).toBe(true);

  // The screenshot: a real PNG of the rendered page, and the numbers it shows are there.
  const file = join(dir, 'demo-page.png');
  await page.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.readUInt32BE(16)).toBeGreaterThan(500); // width, from the IHDR chunk
  expect(png.readUInt32BE(20)).toBeGreaterThan(500); // height
  // A blank or unstyled page compresses to a few kilobytes; text, table and bars do not.
  expect(png.length).toBeGreaterThan(15_000);
  expect(Number(await page.textContent('#hits'))).toBeGreaterThan(0);
  expect(Number(await page.textContent('#count'))).toBe(2);
  await page.close();
});
