import type { Store } from '@statewire/core';
import type { WorkerAssignment, WorkerReport } from './protocol.js';

// A soak worker: makes its share of mixed calls, with `inFlight` in flight, and reports.
type Stats = { pending: number; timers: number };
type SoakStore = Store<Record<string, unknown>> & { stats?: () => Stats };

async function open(assignment: WorkerAssignment): Promise<SoakStore> {
  const namespace = assignment.namespace;
  if (assignment.transport === 'ipc')
    return (await import('@statewire/ipc')).connect({ namespace });
  if (assignment.transport === 'ipc-msgpack')
    return (await import('@statewire/ipc-msgpack')).connect({ namespace });
  return (await import('@statewire/redis')).createRedisStore({
    url: assignment.redisUrl as string,
    namespace,
  });
}

const keys = Array.from({ length: 512 }, (_, i) => `key:${i}`);
const pick = () => keys[Math.floor(Math.random() * keys.length)] as string;
const value = () => ({ at: Date.now(), worker: process.pid, tags: ['a', 'b'], n: Math.random() });

// Mixed calls: reads dominate, as in a cache or a session store.
async function oneCall(store: SoakStore): Promise<void> {
  const r = Math.random();
  if (r < 0.45) await store.get(pick());
  else if (r < 0.7)
    await store.set(pick(), value(), Math.random() < 0.2 ? { ttl: 500 } : undefined);
  else if (r < 0.8) await store.increment('counter');
  else if (r < 0.87) await store.delete(pick());
  else if (r < 0.94) await store.getMany([pick(), pick(), pick()]);
  else await store.setIfAbsent(pick(), value());
}

async function run(assignment: WorkerAssignment): Promise<void> {
  const store = await open(assignment);
  let done = 0;
  let issued = 0;
  const errors: Record<string, number> = {};
  const report = (final: boolean) => {
    const stats = store.stats?.() ?? { pending: 0, timers: 0 };
    const memory = process.memoryUsage();
    const message: WorkerReport = {
      soak: 'report',
      final,
      done,
      errors,
      pending: stats.pending,
      timers: stats.timers,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
    };
    process.send?.(message);
  };
  const ticker = setInterval(() => report(false), 500);
  const loop = async () => {
    while (issued < assignment.calls) {
      issued++;
      try {
        await oneCall(store);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'UNKNOWN';
        // WRONG_TYPE is expected: increment('counter') never collides, but set() of a
        // random key never targets 'counter' either; anything else is a failure.
        errors[code] = (errors[code] ?? 0) + 1;
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: assignment.inFlight }, loop));
  clearInterval(ticker);
  await store.close();
  report(true);
  process.disconnect?.();
}

process.on('message', function onAssignment(message: unknown) {
  const assignment = message as WorkerAssignment;
  if (assignment?.soak !== 'assignment') return;
  process.off('message', onAssignment);
  void run(assignment);
});
process.send?.({ soak: 'ready' });
