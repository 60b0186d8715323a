import { afterEach, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';
import { call, type JsonResponse } from './http-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` requests at once, each on a connection of its own, so the workers share them. */
function burst(count: number, request: () => Promise<JsonResponse>): Promise<JsonResponse[]> {
  return Promise.all(Array.from({ length: count }, request));
}

const pidOf = (response: JsonResponse) => (response.body as { pid: number }).pid;

/** The workers alive, as the primary last told the worker that answered. */
async function workerPids(port: number): Promise<number[]> {
  const stats = (await call(port, 'GET', '/stats')).body as { workers: { pid: number }[] };
  return stats.workers.map((worker) => worker.pid);
}

/** Polls `probe` until it returns true (rejects after `ms`). */
async function eventually(probe: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

/**
 * The demo's integrations on one transport, with the real demo process and two workers:
 * express-rate-limit, express-session and Keyv, each over the demo's statewire store.
 * `env()` is read when each test starts.
 */
export function describeIntegrations(transport: string, env: () => Record<string, string>): void {
  describe(`demo integrations on ${transport}`, () => {
    let demo: DemoProcess | undefined;
    const start = async (extra: Record<string, string> = {}) => {
      demo = await startDemo({ STATEWIRE_TRANSPORT: transport, ...env(), ...extra });
      return demo;
    };
    afterEach(async () => {
      await demo?.stop();
      demo = undefined;
    });

    it('GET /limited lets exactly RATE_LIMIT of 40 requests through across both workers', async () => {
      // Windows are numbered from the epoch: a window length of its own per run gives this
      // run counters of its own, even on a Redis that outlives the test.
      const windowMs = 3_600_000 + Math.floor(Math.random() * 100_000);
      const { port } = await start({ RATE_LIMIT: '10', RATE_LIMIT_WINDOW_MS: String(windowMs) });
      let responses: JsonResponse[];
      let windowBefore: number;
      // A burst that straddles the end of a window counts in two; run it again, whole, in
      // the next window (a fresh count).
      do {
        windowBefore = Math.floor(Date.now() / windowMs);
        responses = await burst(40, () => call(port, 'GET', '/limited'));
      } while (Math.floor(Date.now() / windowMs) !== windowBefore);

      const passed = responses.filter((r) => r.status === 200);
      const refused = responses.filter((r) => r.status === 429);
      expect(passed).toHaveLength(10);
      expect(refused).toHaveLength(30);
      expect(new Set(responses.map(pidOf)).size).toBe(2);
      expect(refused[0]?.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(refused[0]?.headers.ratelimit).toMatch(/r=0/);
      // Still refused later, by whichever worker answers.
      const later = await burst(6, () => call(port, 'GET', '/limited'));
      expect(later.map((r) => r.status)).toEqual(Array(6).fill(429));
    });

    it('a login is seen by every worker and outlives the worker that served it', async () => {
      const d = await start();
      const login = await call(d.port, 'POST', '/login', JSON.stringify({ name: 'ada' }));
      expect(login.status).toBe(200);
      const loggedInBy = (login.body as { loggedInBy: number }).loggedInBy;
      const setCookie = login.headers['set-cookie']?.[0] ?? '';
      expect(setCookie).toMatch(/^statewire\.sid=/);
      const cookie = setCookie.split(';', 1)[0] as string;
      const me = () => call(d.port, 'GET', '/me', undefined, 30_000, { cookie });

      const seen = await burst(20, me);
      expect(seen.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(seen.every((r) => (r.body as { name: string }).name === 'ada')).toBe(true);
      expect(new Set(seen.map(pidOf))).toEqual(new Set(await workerPids(d.port)));
      expect((await call(d.port, 'GET', '/me')).status).toBe(401);
      // Each request moves the cookie's expiry on, as it moves the stored session's: the
      // browser keeps an active login past 30 minutes from its start.
      const expiresOf = (header: string | undefined) =>
        Date.parse(/Expires=([^;]+)/.exec(header ?? '')?.[1] ?? '');
      await sleep(1100);
      const later = (await me()).headers['set-cookie']?.[0];
      expect(later?.split(';', 1)[0]).toBe(cookie);
      expect(expiresOf(later)).toBeGreaterThan(expiresOf(setCookie));

      process.kill(loggedInBy, 'SIGKILL');
      await d.waitFor(/respawning/);
      // Every worker the cluster now hands connections to is a live one other than it.
      await eventually(async () => {
        const pids = await workerPids(d.port);
        return pids.length === 2 && !pids.includes(loggedInBy);
      });
      const after = await burst(20, me);
      expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(after.map((r) => r.body)).toEqual(
        Array(20).fill(expect.objectContaining({ name: 'ada', loggedInBy })),
      );
      expect(after.some((r) => pidOf(r) === loggedInBy)).toBe(false);

      const logout = await call(d.port, 'POST', '/logout', undefined, 30_000, { cookie });
      expect(logout.body).toMatchObject({ loggedOut: true });
      const gone = await burst(10, me);
      expect(gone.map((r) => r.status)).toEqual(Array(10).fill(401));
      expect((await call(d.port, 'POST', '/login', '{"name": ""}')).status).toBe(400);
      expect((await call(d.port, 'POST', '/login', '{not json')).status).toBe(400);
      expect((await call(d.port, 'GET', '/login')).headers.allow).toBe('POST');
    });

    it('GET /slow computes an answer once for all workers and serves it cached', async () => {
      const { port } = await start({ SLOW_MS: '300' });
      const first = await burst(20, () => call(port, 'GET', '/slow?n=77'));
      expect(first.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(new Set(first.map(pidOf)).size).toBe(2);
      // 20 misses at once on two workers: one computation, which all of them answer with.
      const computed = first.filter((r) => r.headers['x-cache'] === 'MISS');
      expect(computed).toHaveLength(1);
      const answer = computed[0]?.body as { computedBy: number; computedAt: string };
      for (const response of first)
        expect(response.body).toMatchObject({
          n: 77,
          result: '5527939700884757',
          computedBy: answer.computedBy,
          computedAt: answer.computedAt,
          cached: response.headers['x-cache'] === 'HIT',
        });

      const again = await burst(10, () => call(port, 'GET', '/slow?n=77'));
      expect(again.map((r) => r.headers['x-cache'])).toEqual(Array(10).fill('HIT'));
      expect(new Set(again.map(pidOf)).size).toBe(2);
      expect((await call(port, 'GET', '/slow?n=1001')).body).toMatchObject({
        error: { code: 'INVALID_N' },
      });
    });
  });
}
