import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type SoakTransport,
  soakTransports,
  type WorkerAssignment,
  type WorkerReport,
} from './protocol.js';
import { startRedis } from './redis.js';

// The soak run's primary: per transport, N workers make a million mixed calls between them
// while one is killed every few seconds and replaced; memory, throughput and pending calls
// are sampled throughout. Exits non-zero when a surviving worker saw an error, ended with
// calls pending, or memory kept growing.

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    transport: { type: 'string' },
    calls: { type: 'string' },
    workers: { type: 'string' },
    'kill-every-ms': { type: 'string' },
  },
});
const quick = args.quick === true;
const totalCalls = Number(args.calls ?? (quick ? 100_000 : 1_000_000));
const workerCount = Number(args.workers ?? (quick ? 3 : 4));
const killEveryMs = Number(args['kill-every-ms'] ?? (quick ? 1000 : 2000));
const inFlight = 32;
const selected = (args.transport?.split(',') ?? [...soakTransports]) as SoakTransport[];

interface Seat {
  quota: number;
  done: number;
  worker: Worker | undefined;
  final: WorkerReport | undefined;
  last: WorkerReport | undefined;
}

interface Sample {
  t: number;
  done: number;
  rate: number;
  primaryRss: number;
  primaryHeap: number;
  workerRssMax: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function soak(transport: SoakTransport, redisUrl: string | undefined): Promise<boolean> {
  const host =
    transport === 'ipc'
      ? (await import('@statewire/ipc')).serve()
      : transport === 'ipc-msgpack'
        ? (await import('@statewire/ipc-msgpack')).serve()
        : undefined;
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
    silent: false,
  });
  const namespace = `soak-${transport}-${Date.now()}`;
  const seats: Seat[] = Array.from({ length: workerCount }, (_, i) => ({
    quota: Math.floor(totalCalls / workerCount) + (i < totalCalls % workerCount ? 1 : 0),
    done: 0,
    worker: undefined,
    final: undefined,
    last: undefined,
  }));
  let kills = 0;
  let finished = false;
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const killedWorkers = new WeakSet<Worker>();

  const start = (seat: Seat) => {
    const worker = cluster.fork();
    seat.worker = worker;
    const assignment: WorkerAssignment = {
      soak: 'assignment',
      transport,
      redisUrl,
      calls: seat.quota - seat.done,
      inFlight,
      namespace,
    };
    worker.on('message', (message: WorkerReport | { soak: 'ready' }) => {
      // The worker asks once its listener is in place; a message sent earlier would be lost.
      if (message?.soak === 'ready') {
        worker.send(assignment);
        return;
      }
      if (message?.soak !== 'report') return;
      seat.last = message;
      if (message.final) {
        seat.final = message;
        seat.done += message.done;
        if (seats.every((s) => s.final)) resolveAll();
      }
    });
    worker.on('exit', () => {
      if (seat.worker !== worker || seat.final || finished) return;
      // Killed: what it reported as done is kept; a new worker makes the rest.
      if (!killedWorkers.has(worker))
        console.error(`[soak] worker ${worker.process.pid} exited unexpectedly`);
      seat.done += seat.last?.done ?? 0;
      seat.last = undefined;
      start(seat);
    });
  };
  for (const seat of seats) start(seat);

  const doneSoFar = () =>
    seats.reduce((sum, s) => sum + s.done + (s.final ? 0 : (s.last?.done ?? 0)), 0);
  const killer = setInterval(() => {
    // Leave the last 10% undisturbed so that the run can finish.
    if (doneSoFar() > totalCalls * 0.9) return;
    const live = seats.filter((s) => s.worker && !s.final && s.last);
    const victim = live[Math.floor(Math.random() * live.length)];
    if (!victim?.worker) return;
    killedWorkers.add(victim.worker);
    victim.worker.process.kill('SIGKILL');
    kills++;
  }, killEveryMs);

  const samples: Sample[] = [];
  const began = performance.now();
  let lastDone = 0;
  let lastAt = began;
  const sampler = setInterval(() => {
    const now = performance.now();
    const done = doneSoFar();
    const memory = process.memoryUsage();
    const workerRssMax = Math.max(0, ...seats.map((s) => s.last?.rss ?? 0));
    samples.push({
      t: (now - began) / 1000,
      done,
      rate: ((done - lastDone) * 1000) / (now - lastAt),
      primaryRss: memory.rss,
      primaryHeap: memory.heapUsed,
      workerRssMax,
    });
    const line = `[soak ${transport}] ${((done / totalCalls) * 100).toFixed(0).padStart(3)}%  ${Math.round(samples.at(-1)?.rate ?? 0)} calls/s  kills ${kills}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
    else if (samples.length % 5 === 0) process.stderr.write(`${line}\n`);
    lastDone = done;
    lastAt = now;
  }, 1000);

  await allDone;
  finished = true;
  clearInterval(killer);
  clearInterval(sampler);
  process.stderr.write('\n');
  await Promise.all(
    seats.map((s) =>
      s.worker && !s.worker.isDead() ? new Promise((r) => s.worker?.once('exit', r)) : undefined,
    ),
  );
  const hostStats = host?.stats();
  await host?.close();
  cluster.removeAllListeners('fork');

  // Report.
  const seconds = (performance.now() - began) / 1000;
  console.log(
    `\n## ${transport}: ${totalCalls.toLocaleString('en')} calls, ${workerCount} workers, ${kills} killed, ${seconds.toFixed(1)} s (${Math.round(totalCalls / seconds)} calls/s)\n`,
  );
  console.log('| t (s) | done | calls/s | primary RSS | primary heap | largest worker RSS |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const step = Math.max(1, Math.floor(samples.length / 10));
  for (let i = 0; i < samples.length; i += step) {
    const s = samples[i] as Sample;
    console.log(
      `| ${s.t.toFixed(0)} | ${s.done} | ${Math.round(s.rate)} | ${mb(s.primaryRss)} | ${mb(s.primaryHeap)} | ${mb(s.workerRssMax)} |`,
    );
  }
  const errors: Record<string, number> = {};
  let pending = 0;
  let timers = 0;
  for (const seat of seats) {
    for (const [code, count] of Object.entries(seat.final?.errors ?? {}))
      errors[code] = (errors[code] ?? 0) + count;
    pending += seat.final?.pending ?? 0;
    timers += seat.final?.timers ?? 0;
  }
  const warm = samples[Math.floor(samples.length * 0.2)] ?? samples[0];
  const end = samples.at(-1);
  const rssRatio = warm && end ? end.primaryRss / warm.primaryRss : 1;
  console.log(
    `\npending calls at the end: ${pending}; timers: ${timers}; errors in surviving workers: ${JSON.stringify(errors)}`,
  );
  console.log(
    `primary RSS: post-warm-up ${mb(warm?.primaryRss ?? 0)}, end ${mb(end?.primaryRss ?? 0)} (x${rssRatio.toFixed(2)}); peak ${mb(Math.max(...samples.map((s) => s.primaryRss)))}`,
  );
  if (hostStats)
    console.log(
      `host: ${hostStats.calls} calls answered, ${hostStats.foreignIn} foreign and ${hostStats.malformedIn} malformed messages dropped, ${hostStats.clients} clients left`,
    );
  // Memory on a shared machine is noisy: x1.5 of the post-warm-up RSS is a leak, not noise.
  const verdict =
    pending === 0 &&
    timers === 0 &&
    Object.keys(errors).length === 0 &&
    rssRatio <= 1.5 &&
    (hostStats?.clients ?? 0) === 0;
  console.log(verdict ? 'verdict: PASS' : 'verdict: FAIL');
  return verdict;
}

if (!cluster.isPrimary) throw new Error('main.js runs in the primary');
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
let passed = true;
try {
  for (const transport of selected) {
    let redisUrl: string | undefined;
    if (transport === 'redis') {
      redis = await startRedis();
      if (!redis) {
        console.log('\n## redis: skipped (no REDIS_URL and no redis-server on this machine)');
        continue;
      }
      redisUrl = redis.url;
    }
    passed = (await soak(transport, redisUrl)) && passed;
  }
} finally {
  await redis?.stop();
}
process.exit(passed ? 0 : 1);
