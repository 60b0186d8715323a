import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's `chromium` package: the browser the page tests drive. */
export const CHROMIUM = '/usr/bin/chromium';

const INSTALL_HINT =
  `the page tests need Chromium at ${CHROMIUM}: install it with ` +
  '`sudo apt-get install chromium` (Debian/Ubuntu), then run the tests again';

/**
 * Makes sure Chromium is installed: when it is missing and we are root (CI, a container),
 * installs Debian's package with apt-get, as the Redis tests do for redis-server;
 * otherwise throws one line saying how to install it.
 * @throws Error with the install command when Chromium is missing and cannot be installed
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const aptGet = '/usr/bin/apt-get';
  if (process.getuid?.() === 0 && existsSync(aptGet)) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync(aptGet, ['update', '-qq'], { stdio: 'ignore', timeout: 300_000, env });
    spawnSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
      stdio: 'ignore',
      timeout: 900_000,
      env,
    });
    if (existsSync(CHROMIUM)) return;
  }
  throw new Error(INSTALL_HINT);
}

/** A headless Chromium with a fresh profile. */
export interface Browser {
  context: BrowserContext;
  /** A fresh directory for the test's files (screenshots). */
  dir: string;
  /** Closes the browser and removes `dir`, unless `keep` (to look at a failed test's files). */
  close(keep?: boolean): Promise<void>;
}

/** Starts Chromium headless, offline from everything but what the test opens. */
export async function launchChromium(): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'statewire-demo-page-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1024, height: 900 },
    timeout: 120_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    dir,
    async close(keep = false) {
      await context.close();
      rmSync(keep ? join(dir, 'profile') : dir, { recursive: true, force: true });
    },
  };
}
