/**
 * The cluster primary of one subject, forked by the orchestrator (main.ts). It starts the
 * subject's host, forks workers running worker.js (as many as the widest cell so far needs,
 * kept for the cells after it), and runs the cells and memory runs the orchestrator asks for. One process per subject keeps peer libraries (which hook `cluster`
 * when loaded) from seeing, or slowing, any other subject's traffic.
 */
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Histogram } from './histogram.js';
import type { PrefillProblem } from './load.js';
import {
  type BenchMessage,
  benchMessage,
  type CellOutcome,
  type CellSpec,
  describeError,
  isBenchMessage,
  largerSample,
  type MemoryOutcome,
  type MemorySample,
  type MemorySpec,
  type ProcessMemory,
  sampleMemory,
  settledSample,
  TAG,
  type WorkerMemory,
  type WorkerRun,
} from './messages.js';
import { SMALL_MIX } from './scenarios.js';
import { isSubjectName, loadSubject } from './subjects/index.js';
import type { BenchHost, SubjectEnv } from './subjects/subject.js';

const READY_TIMEOUT_MS = 30_000;
const PREFILL_TIMEOUT_MS = 30_000;

interface Waiter {
  kind: string;
  resolve(message: BenchMessage): void;
  reject(error: Error): void;
}

/** A forked worker and the replies it owes. */
class WorkerHandle {
  readonly #waiters = new Map<number, Waiter>();
  #exited: string | undefined;

  constructor(
    readonly worker: Worker,
    readonly index: number,
  ) {
    worker.on('message', (message: unknown) => {
      if (!isBenchMessage(message) || message.id === undefined) return;
      const waiter = this.#waiters.get(message.id);
      if (!waiter) return;
      if (message[TAG] === 'error') {
        this.#waiters.delete(message.id);
        waiter.reject(new Error(`worker ${index + 1}: ${String(message.reason)}`));
      } else if (message[TAG] === waiter.kind) {
        this.#waiters.delete(message.id);
        waiter.resolve(message);
      }
    });
    worker.on('exit', (code, signal) => {
      this.#exited = `worker ${index + 1} exited (${signal ?? code})`;
      for (const waiter of this.#waiters.values()) waiter.reject(new Error(this.#exited));
      this.#waiters.clear();
    });
  }

  /** Sends a request and waits for its final reply, bounded by `timeoutMs`. */
  ask(
    kind: string,
    fields: Record<string, unknown>,
    replyKind: string,
    timeoutMs: number,
  ): Promise<BenchMessage> {
    if (this.#exited) return Promise.reject(new Error(this.#exited));
    const id = nextId++;
    return new Promise<BenchMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(id);
        reject(new Error(`worker ${this.index + 1} did not answer ${kind} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(id, {
        kind: replyKind,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.send(benchMessage(kind, { id, ...fields }));
    });
  }
}

let nextId = 1;

function toOrchestrator(kind: string, fields: Record<string, unknown> = {}): void {
  if (process.connected) process.send!(benchMessage(kind, fields));
}

function forkWorker(index: number, name: string, host: BenchHost): Promise<WorkerHandle> {
  const worker = cluster.fork({
    BENCH_SUBJECT: name,
    BENCH_ENV: process.env.BENCH_ENV ?? '{}',
    BENCH_HOST_ENV: JSON.stringify(host.clientEnv ?? {}),
    BENCH_WORKER_INDEX: String(index),
  });
  const handle = new WorkerHandle(worker, index);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${index + 1} not ready in ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    worker.on('message', (message: unknown) => {
      if (!isBenchMessage(message)) return;
      if (message[TAG] === 'ready') {
        clearTimeout(timer);
        resolve(handle);
      } else if (message[TAG] === 'start-failed') {
        clearTimeout(timer);
        reject(new Error(`worker ${index + 1}: ${String(message.reason)}`));
      }
    });
    worker.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker ${index + 1} exited during start (${signal ?? code})`));
    });
  });
}

/**
 * Runs the unmeasured priming load on every worker: the small mix with 64 calls in flight (the
 * batched paths), then with one (the paths of a lone call, which a frame of one call and an
 * idle link take), so that no measured cell pays for compiling either. Every subject is primed
 * alike; failures are ignored (the cells report them).
 */
async function prime(workers: WorkerHandle[], primeMs: number): Promise<void> {
  if (primeMs <= 0) return;
  for (const inFlight of [SMALL_MIX.inFlight, 1]) {
    const scenario = { ...SMALL_MIX, workers: workers.length, inFlight };
    await runCell(workers, { scenario, warmupMs: 0, durationMs: primeMs }).catch(() => {});
  }
}

async function runCell(workers: WorkerHandle[], cell: CellSpec): Promise<CellOutcome> {
  const { scenario } = cell;
  const prefilled = await workers[0]!.ask('prefill', { scenario }, 'prefilled', PREFILL_TIMEOUT_MS);
  const problem = prefilled.problem as PrefillProblem | undefined;
  if (problem) return problem;
  const timeout = cell.warmupMs + cell.durationMs + 15_000;
  const replies = await Promise.all(
    workers.slice(0, scenario.workers).map((w) => w.ask('run', { cell }, 'ran', timeout)),
  );
  const runs = replies.map((reply) => reply.run as WorkerRun);
  const histogram = new Histogram();
  let opsPerSec = 0;
  let errors = 0;
  let stuck = 0;
  let dropped = 0;
  let conflicts: number | undefined;
  let firstError: string | undefined;
  for (const run of runs) {
    if (run.conflicts !== undefined) conflicts = (conflicts ?? 0) + run.conflicts;
    histogram.merge(run.histogram);
    opsPerSec += run.ops / run.seconds;
    errors += run.errors;
    stuck += run.stuck;
    dropped += run.dropped;
    firstError ??= run.firstError;
  }
  const ops = runs.reduce((sum, run) => sum + run.ops, 0);
  if (stuck > 0) {
    return {
      status: 'failed',
      reason: `hangs: ${stuck} calls unsettled 3 s after the window (${ops} completed)`,
    };
  }
  if (ops === 0 && errors === 0) {
    return {
      status: 'failed',
      reason: `no call completed inside the ${cell.durationMs} ms window: each takes longer`,
    };
  }
  if (ops === 0 || errors > ops * 0.01) {
    return {
      status: 'failed',
      reason: `${errors} failed calls, ${ops} completed${firstError ? `: ${firstError}` : ''}`,
    };
  }
  return {
    status: 'ok',
    opsPerSec,
    p50Us: histogram.percentile(50),
    p99Us: histogram.percentile(99),
    p999Us: histogram.percentile(99.9),
    errors,
    firstError,
    ...(scenario.rate === undefined ? {} : { offered: scenario.rate, dropped }),
    // Every call is one success, after the conflicts it met: attempts = ops + conflicts.
    ...(conflicts === undefined ? {} : { conflictRatio: conflicts / (ops + conflicts) }),
    ...(runs[0]?.callsPerFrame === undefined
      ? {}
      : {
          callsPerFrame: runs.reduce((sum, run) => sum + (run.callsPerFrame ?? 0), 0) / runs.length,
        }),
  };
}

/**
 * The RSS of another process (the redis-server a Redis subject's data lives in), from
 * /proc; `undefined` where there is no /proc or no such process.
 */
function sampleProcess(pid: number): MemorySample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : { rss: Number(kib) * 1024, heapUsed: 0, heapTotal: 0 };
  } catch {
    return undefined;
  }
}

/** The warm-up and the measured calls of a memory run together, however slow the subject. */
const MEMORY_CALLS_TIMEOUT_MS = 600_000;
/** One settle step of a worker: two collections and the idle wait, on a busy machine. */
const SETTLE_TIMEOUT_MS = 15_000;

/**
 * Every worker's settled sample, taken at once (all of them idle), in worker order.
 * @throws Error when a worker does not answer in {@link SETTLE_TIMEOUT_MS}
 */
async function settleWorkers(workers: WorkerHandle[]): Promise<MemorySample[]> {
  const replies = await Promise.all(
    workers.map((w) => w.ask('memory-settle', {}, 'memory-settled', SETTLE_TIMEOUT_MS)),
  );
  return replies.map((reply) => reply.sample as MemorySample);
}

/**
 * A memory run. Its warm and end samples are taken at rest, after full collections, in every
 * process: the workers make their warm-up calls and wait; the primary settles and samples,
 * then the workers do, then the redis-server is sampled; then the measured calls run (every
 * process sampling its peak); then the workers settle and sample, then the primary, then the
 * redis-server. See apps/bench/README.md, "Memory runs".
 */
async function runMemory(
  workers: WorkerHandle[],
  spec: MemorySpec,
  serverPid: number | undefined,
): Promise<MemoryOutcome> {
  const used = workers.slice(0, spec.scenario.workers);
  const perWorker = {
    ...spec,
    calls: Math.ceil(spec.calls / used.length),
    warmCalls: Math.ceil(spec.warmCalls / used.length),
  };
  const started = performance.now();
  // Generous: a slow subject may take a while for a million calls, but not forever.
  const remaining = () => Math.max(1, started + MEMORY_CALLS_TIMEOUT_MS - performance.now());
  await Promise.all(
    used.map((w) => w.ask('memory-warm-up', { spec: perWorker }, 'memory-warmed', remaining())),
  );
  const warm = await settledSample();
  const workersWarm = await settleWorkers(used);
  const serverWarm = serverPid === undefined ? undefined : sampleProcess(serverPid);

  let peak = warm;
  let serverPeak = serverWarm;
  const sampler = setInterval(() => {
    peak = largerSample(peak, sampleMemory());
    const now = serverPid === undefined ? undefined : sampleProcess(serverPid);
    if (serverPeak && now) serverPeak = largerSample(serverPeak, now);
  }, spec.sampleMs);
  let replies: BenchMessage[];
  try {
    replies = await Promise.all(
      used.map((w) => w.ask('memory-measure', {}, 'memory-measured', remaining())),
    );
  } finally {
    clearInterval(sampler);
  }
  peak = largerSample(peak, sampleMemory());
  const seconds = (performance.now() - started) / 1000;
  const memories = replies.map((reply) => reply.memory as WorkerMemory);
  const errors = memories.reduce((sum, m) => sum + m.errors, 0);
  const calls = memories.reduce((sum, m) => sum + m.calls, 0);
  if (errors > calls * 0.01) {
    return { status: 'failed', reason: `${errors} failed calls: ${memories[0]?.firstError}` };
  }

  const workersEnd = await settleWorkers(used);
  const end = await settledSample();
  const serverEnd = serverPid === undefined ? undefined : sampleProcess(serverPid);
  // The peak is the largest sample of the run, warm and end included: never below either.
  const processes: ProcessMemory[] = [
    { role: 'primary', warm, end, peak: largerSample(peak, end) },
    ...memories.map((m, i) => ({
      role: `worker ${i + 1}`,
      warm: workersWarm[i]!,
      end: workersEnd[i]!,
      peak: largerSample(largerSample(m.peak, workersWarm[i]!), workersEnd[i]!),
    })),
  ];
  if (serverWarm && serverPeak && serverEnd) {
    processes.push({
      role: 'redis-server',
      warm: serverWarm,
      end: serverEnd,
      peak: largerSample(serverPeak, serverEnd),
    });
  }
  return { status: 'ok', calls, seconds, processes };
}

async function main(): Promise<void> {
  const name = process.env.BENCH_SUBJECT ?? '';
  if (!isSubjectName(name)) throw new Error(`unknown subject ${name}`);
  const subject = await loadSubject(name);
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as SubjectEnv;
  let host: BenchHost;
  const workers: WorkerHandle[] = [];
  try {
    host = await subject.host(env);
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
      serialization: subject.serialization,
      execArgv: JSON.parse(process.env.BENCH_WORKER_EXEC_ARGV ?? '[]') as string[],
    });
    // Two to start with (the priming load and most cells use two); more when a cell needs them.
    await addWorkers(workers, 2, name, host);
  } catch (error) {
    toOrchestrator('start-failed', { reason: describeError(error) });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(0);
  }

  // Priming: JIT, connections and buffers warm before the first measured cell, which would
  // otherwise pay for them in its first rounds.
  const primeMs = Number(process.env.BENCH_PRIME_MS ?? 0);
  await prime(workers, primeMs);
  // Serialised: two cells never run at once, and neither do two forks of the same workers.
  let busy: Promise<unknown> = Promise.resolve();
  const withWorkers = <T>(count: number, work: () => Promise<T>): Promise<T> => {
    const run = busy.then(async () => {
      if (workers.length < count) {
        await addWorkers(workers, count, name, host);
        // The new workers are primed like the first ones.
        await prime(workers, primeMs);
      }
      return work();
    });
    busy = run.catch(() => {});
    return run;
  };

  let broken = false;
  cluster.on('exit', () => {
    broken = true;
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Workers exit on request (so that --cpu-prof writes their profiles), and are killed if
    // they do not within a second: one may be stuck in a peer library's hung call.
    const exited = workers.map(
      (handle) => new Promise((resolve) => handle.worker.process.once('exit', resolve)),
    );
    for (const handle of workers) {
      if (handle.worker.isConnected()) handle.worker.send(benchMessage('exit'));
    }
    await Promise.race([Promise.all(exited), sleep(1000)]);
    for (const handle of workers) handle.worker.process.kill('SIGKILL');
    await Promise.race([host.close().catch(() => {}), sleep(1000)]);
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  // Orphaned (the orchestrator was killed without a chance to clean up): go too.
  setInterval(() => {
    if (!process.connected || process.ppid === 1) void stop();
  }, 1000).unref();
  process.on('message', async (message: unknown) => {
    if (!isBenchMessage(message)) return;
    const { id } = message;
    switch (message[TAG]) {
      case 'run': {
        const cell = message.cell as CellSpec;
        const outcome = await withWorkers(cell.scenario.workers, () =>
          runCell(workers, cell),
        ).catch(
          (error: unknown): CellOutcome => ({ status: 'failed', reason: describeError(error) }),
        );
        toOrchestrator('result', { id, outcome, broken });
        return;
      }
      case 'memory': {
        const spec = message.spec as MemorySpec;
        const outcome = await withWorkers(spec.scenario.workers, () =>
          runMemory(workers, spec, env.redisPid),
        ).catch(
          (error: unknown): MemoryOutcome => ({ status: 'failed', reason: describeError(error) }),
        );
        toOrchestrator('result', { id, outcome, broken });
        return;
      }
      case 'stop':
        await stop();
    }
  });
  toOrchestrator('ready');
}

/**
 * Forks workers until there are `count`. One at a time: cold starts at once on two cores
 * would only slow each other.
 */
async function addWorkers(
  workers: WorkerHandle[],
  count: number,
  name: string,
  host: BenchHost,
): Promise<void> {
  while (workers.length < count) workers.push(await forkWorker(workers.length, name, host));
}

main().catch((error: unknown) => {
  toOrchestrator('start-failed', { reason: describeError(error) });
  process.exit(0);
});
