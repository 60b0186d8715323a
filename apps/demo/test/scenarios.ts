import { afterEach, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.js';
import { call, hitLoad } from './http-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true (rejects after `ms`). */
async function eventually(probe: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

/** The demo's end-to-end scenarios on one transport; `env()` is read when each test starts. */
export function describeDemo(transport: string, env: () => Record<string, string>): void {
  describe(`demo on ${transport}`, () => {
    let demo: DemoProcess | undefined;
    const start = async () => {
      demo = await startDemo({ STATEWIRE_TRANSPORT: transport, ...env() });
      return demo;
    };
    afterEach(async () => {
      await demo?.stop();
      demo = undefined;
    });

    it('POST /hits 1000 times at once counts exactly 1000, answered by two workers', async () => {
      const { port } = await start();
      const before = (await call(port, 'GET', '/hits')).body as { hits: number };
      const responses = await Promise.all(
        Array.from({ length: 1000 }, () => call(port, 'POST', '/hits')),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      const pids = new Set(responses.map((r) => (r.body as { pid: number }).pid));
      expect(pids.size).toBeGreaterThanOrEqual(2);
      const after = (await call(port, 'GET', '/hits')).body as { hits: number };
      expect(after.hits - before.hits).toBe(1000);
      const health = await call(port, 'GET', '/health');
      expect(health.body).toMatchObject({ transport, workers: 2 });
    });

    it('GET|PUT|DELETE /kv/:key stores JSON and refuses bad input with 4xx', async () => {
      const { port } = await start();
      const key = `k-${Date.now()}`;
      expect((await call(port, 'GET', `/kv/${key}`)).status).toBe(404);
      expect(
        (await call(port, 'PUT', `/kv/${key}`, JSON.stringify({ n: 0, list: [false, null, ''] })))
          .status,
      ).toBe(200);
      expect((await call(port, 'GET', `/kv/${key}`)).body).toEqual({
        value: { n: 0, list: [false, null, ''] },
      });
      expect((await call(port, 'PUT', `/kv/${key}`, '{not json')).status).toBe(400);
      expect((await call(port, 'GET', '/kv/%E0%A4%A')).status).toBe(400);
      expect((await call(port, 'GET', `/kv/${'x'.repeat(5000)}`)).status).toBe(413);
      expect(
        (await call(port, 'PUT', `/kv/${key}`, JSON.stringify('y'.repeat(2 * 1024 * 1024)))).status,
      ).toBe(413);
      expect((await call(port, 'DELETE', `/kv/${key}`)).status).toBe(200);
      expect((await call(port, 'DELETE', `/kv/${key}`)).status).toBe(404);
      const page = await call(port, 'GET', '/');
      expect(page.status).toBe(200);
      expect(String(page.body)).toContain('statewire demo');
      // Nothing above killed a worker: both still answer, none was respawned.
      expect(demo?.output()).not.toMatch(/respawning/);
    });

    it('GET /kv/:key answers an ETag; PUT and DELETE honour If-Match and If-None-Match with 412', async () => {
      const { port } = await start();
      const path = `/kv/cas-${Date.now()}`;
      const put = (value: unknown, headers: Record<string, string>) =>
        call(port, 'PUT', path, JSON.stringify(value), 30_000, headers);
      const etag = async () => (await call(port, 'GET', path)).headers.etag as string;
      // If-None-Match: * creates only.
      expect((await put(1, { 'if-none-match': '*' })).status).toBe(200);
      expect((await put(2, { 'if-none-match': '*' })).status).toBe(412);
      const first = await call(port, 'GET', path);
      expect(first.body).toEqual({ value: 1 });
      const v1 = first.headers.etag as string;
      expect(v1).toMatch(/^"[\x21\x23-\x7e]+"$/);
      expect(
        (await call(port, 'GET', path, undefined, 30_000, { 'if-none-match': v1 })).status,
      ).toBe(304);
      // If-Match: the current tag writes; a stale or weak one is refused and writes nothing.
      expect((await put(2, { 'if-match': v1 })).status).toBe(200);
      const v2 = await etag();
      expect(v2).not.toBe(v1);
      const stale = await put(3, { 'if-match': v1 });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ error: { code: 'CONFLICT' } });
      const weak = await put(3, { 'if-match': `W/${v2}` });
      expect(weak.status).toBe(412);
      expect(weak.body).toMatchObject({ error: { code: 'CONFLICT' } });
      expect((await call(port, 'GET', path)).body).toEqual({ value: 2 });
      // A list of tags, or *, is checked against the current version.
      expect((await put(4, { 'if-match': `"other", ${v2}` })).status).toBe(200);
      expect((await put(5, { 'if-match': '*' })).status).toBe(200);
      expect(
        (await call(port, 'PUT', '/kv/never-set', '1', 30_000, { 'if-match': '*' })).status,
      ).toBe(412);
      expect((await put(6, { 'if-match': 'not-a-tag' })).status).toBe(400);
      // A tag longer than any version matches nothing: 412, on PUT and DELETE alike.
      const long = `"${'v'.repeat(257)}"`;
      expect((await put(7, { 'if-match': long })).status).toBe(412);
      expect(
        (await call(port, 'DELETE', path, undefined, 30_000, { 'if-match': long })).status,
      ).toBe(412);
      // Two writers with the same tag, on different connections (and workers): one wins.
      const v5 = await etag();
      const race = await Promise.all([put('a', { 'if-match': v5 }), put('b', { 'if-match': v5 })]);
      expect(race.map((r) => r.status).sort()).toEqual([200, 412]);
      // DELETE: a stale tag is refused; the current one deletes.
      expect((await call(port, 'DELETE', path, undefined, 30_000, { 'if-match': v5 })).status).toBe(
        412,
      );
      const current = await etag();
      expect(
        (await call(port, 'DELETE', path, undefined, 30_000, { 'if-match': current })).status,
      ).toBe(200);
      expect((await call(port, 'GET', path)).status).toBe(404);
    });

    it('a worker killed under load loses no acknowledged increment and is replaced', async () => {
      const d = await start();
      const before = ((await call(d.port, 'GET', '/hits')).body as { hits: number }).hits;
      const load = hitLoad(d.port, 20);
      await eventually(() => load.stats.pids.size >= 2);
      const victim = [...load.stats.pids][0] as number;
      process.kill(victim, 'SIGKILL');
      await d.waitFor(/respawning/);
      await eventually(() => [...load.stats.pids].length >= 3);
      const stats = await load.stop();
      const after = ((await call(d.port, 'GET', '/hits')).body as { hits: number }).hits;
      // Every acknowledged increment is counted; a failed request may or may not have applied.
      expect(after - before).toBeGreaterThanOrEqual(stats.acknowledged);
      expect(after - before).toBeLessThanOrEqual(stats.acknowledged + stats.failed);
      expect(((await call(d.port, 'GET', '/health')).body as { workers: number }).workers).toBe(2);
    });

    it('SIGHUP under load reloads every worker and fails zero requests', async () => {
      const d = await start();
      const load = hitLoad(d.port, 10);
      await eventually(() => load.stats.acknowledged > 50);
      const before = new Set(load.stats.pids);
      d.child.kill('SIGHUP');
      await d.waitFor(/reload complete|reloaded/i);
      const afterReload = load.stats.acknowledged;
      await eventually(() => load.stats.acknowledged > afterReload + 50);
      const stats = await load.stop();
      expect(stats.errors).toEqual([]);
      expect(stats.failed).toBe(0);
      const health = (await call(d.port, 'GET', '/health')).body as { pid: number };
      expect(before.has(health.pid)).toBe(false);
    });

    it('SIGTERM shuts down gracefully and exits 0', async () => {
      const d = await start();
      await call(d.port, 'POST', '/hits');
      d.child.kill('SIGTERM');
      expect(await d.exited(30_000)).toBe(0);
      expect(d.output()).toMatch(/shutdown complete/);
    });
  });
}
