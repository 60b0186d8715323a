import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  type ClusterApp,
  type ClusterTransport,
  startClusterApp,
} from '@statewire/test-support/cluster-app';
import { describe, expect, it } from 'vitest';

const worker = fileURLToPath(new URL('./fixtures/rate-limit-worker.mjs', import.meta.url));
const LIMIT = 100;
const REQUESTS = 400;
// Long enough that the test never crosses a window boundary... unless it starts right
// before one: the test waits that out first.
const WINDOW_MS = 10 * 60_000;

interface Tally {
  passed: number;
  limited: number;
  /** Requests each worker answered. */
  perWorker: Map<string, number>;
}

/** Sends REQUESTS requests, `lanes` at a time, each on a new connection, and counts the answers. */
async function hammer(app: ClusterApp, lanes: number): Promise<Tally> {
  const tally: Tally = { passed: 0, limited: 0, perWorker: new Map() };
  let sent = 0;
  const lane = async () => {
    while (sent < REQUESTS) {
      sent += 1;
      const reply = await app.request('GET', '/');
      const workerId = String(reply.headers['x-worker']);
      tally.perWorker.set(workerId, (tally.perWorker.get(workerId) ?? 0) + 1);
      if (reply.status === 200) tally.passed += 1;
      else if (reply.status === 429) tally.limited += 1;
      else throw new Error(`unexpected status ${reply.status}: ${reply.body}`);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return tally;
}

async function withApp<T>(
  transport: ClusterTransport,
  store: 'memory' | 'statewire',
  run: (app: ClusterApp) => Promise<T>,
) {
  const app = await startClusterApp({
    worker,
    transport,
    namespace: `rate-limit-${randomUUID()}`,
    env: { STORE: store, WINDOW_MS: String(WINDOW_MS), LIMIT: String(LIMIT) },
  });
  try {
    return await run(app);
  } finally {
    await app.stop();
  }
}

for (const transport of ['ipc', 'redis'] as const) {
  describe(`express-rate-limit on 4 cluster workers over ${transport}`, () => {
    it(`lets exactly ${LIMIT} of ${REQUESTS} requests through, where MemoryStore lets each worker allow ${LIMIT}`, async () => {
      // Stay clear of a window boundary (which would rightly start a new count).
      const left = WINDOW_MS - (Date.now() % WINDOW_MS);
      if (left < 60_000) await new Promise((resolve) => setTimeout(resolve, left + 100));

      // One request at a time: the cluster's round robin then spreads them evenly.
      const control = await withApp(transport, 'memory', (app) => hammer(app, 1));
      // Each worker counts alone and lets LIMIT through: all 400 when spread evenly.
      const perWorkerAllowance = [...control.perWorker.values()].reduce(
        (sum, answered) => sum + Math.min(answered, LIMIT),
        0,
      );
      expect(control.perWorker.size).toBeGreaterThan(1);
      expect(control.passed).toBe(perWorkerAllowance);
      expect(control.passed).toBeGreaterThan(LIMIT);

      // Eight at a time: hits race on every worker, and still count once each.
      const shared = await withApp(transport, 'statewire', (app) => hammer(app, 8));
      expect(shared.perWorker.size).toBeGreaterThan(1);
      expect(shared.passed).toBe(LIMIT);
      expect(shared.limited).toBe(REQUESTS - LIMIT);
      console.log(
        `${transport}: MemoryStore let ${control.passed} of ${REQUESTS} through ` +
          `(per worker ${JSON.stringify(Object.fromEntries(control.perWorker))}); ` +
          `@statewire/rate-limit let ${shared.passed} through`,
      );
    });
  });
}
