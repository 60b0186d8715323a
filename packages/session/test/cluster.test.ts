import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type ClusterApp, startClusterApp } from '@statewire/test-support/cluster-app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const worker = fileURLToPath(new URL('./fixtures/session-worker.mjs', import.meta.url));
const MAX_AGE_MS = 5000;

interface Me {
  worker: number;
  user: string | null;
  since: string | null;
}

// express-session on 4 real cluster workers; every request is a new connection, so the
// primary spreads them over the workers.
for (const transport of ['ipc', 'redis'] as const) {
  describe(`express-session on 4 cluster workers over ${transport}`, () => {
    let app: ClusterApp;
    beforeAll(async () => {
      app = await startClusterApp({
        worker,
        transport,
        namespace: `session-${randomUUID()}`,
        env: { MAX_AGE: String(MAX_AGE_MS) },
      });
    });
    afterAll(async () => {
      await app?.stop();
    });

    const login = async (user: string) => {
      const reply = await app.request('POST', `/login?user=${user}`);
      expect(reply.status).toBe(200);
      const cookie = String(reply.headers['set-cookie']).split(';')[0] ?? '';
      expect(cookie).toMatch(/^connect\.sid=/);
      return cookie;
    };
    const me = async (cookie: string) => {
      const reply = await app.request('GET', '/me', { cookie });
      expect(reply.status).toBe(200);
      return JSON.parse(reply.body) as Me;
    };

    it('a login on one worker is seen by requests the other workers answer', async () => {
      const cookie = await login('ada');
      const workers = new Set<number>();
      for (let i = 0; i < 16; i++) {
        const answer = await me(cookie);
        expect(answer.user).toBe('ada');
        // A Date in the session reads back as express-session serializes it.
        expect(answer.since).toBe(new Date(0).toISOString());
        workers.add(answer.worker);
      }
      expect(workers.size).toBe(4);
    });

    it('requests keep touching the session past its maxAge; left alone it expires', async () => {
      const cookie = await login('grace');
      // Two and a half maxAges of requests, a quarter maxAge apart (a request may take most
      // of the other three quarters on a busy machine): each touch restarts the lifetime.
      for (let i = 0; i < 10; i++) {
        expect((await me(cookie)).user).toBe('grace');
        await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS / 4));
      }
      await new Promise((resolve) => setTimeout(resolve, MAX_AGE_MS + 1500));
      expect((await me(cookie)).user).toBeNull();
    });

    it('destroy() on one worker ends the session on every worker', async () => {
      const cookie = await login('bob');
      expect((await me(cookie)).user).toBe('bob');
      const logout = await app.request('POST', '/logout', { cookie });
      expect(logout.status).toBe(200);
      const workers = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const answer = await me(cookie);
        expect(answer.user).toBeNull();
        workers.add(answer.worker);
      }
      expect(workers.size).toBe(4);
    });
  });
}
