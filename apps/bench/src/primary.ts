/**
 * The cluster primary of one subject, forked by the orchestrator (main.ts). It starts the
 * subject's host, forks two workers running worker.js, and runs the cells and memory runs the
 * orchestrator asks for. One process per subject keeps peer libraries (which hook `cluster`
 * when loaded) from seeing, or slowing, any other subject's traffic.
 */
import cluster, { type Worker } from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Histogram } from './histogram.js';
import {
  type BenchMessage,
  benchMessage,
  type CellOutcome,
  type CellSpec,
  describeError,
  isBenchMessage,
  type MemoryOutcome,
  type MemorySample,
  type MemorySpec,
  type ProcessMemory,
  sampleMemory,
  TAG,
  type WorkerMemory,
  type WorkerRun,
} from './messages.js';
import { SMALL_MIX } from './scenarios.js';
import { isSubjectName, loadSubject } from './subjects/index.js';
import type { BenchHost } from './subjects/subject.js';

const WORKERS = 2;
const READY_TIMEOUT_MS = 30_000;
const PREFILL_TIMEOUT_MS = 30_000;

interface Waiter {
  kinds: string[];
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
      } else if (waiter.kinds.includes(message[TAG])) {
        if (message[TAG] !== 'memory-warm') this.#waiters.delete(message.id);
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
    onProgress?: (message: BenchMessage) => void,
  ): Promise<BenchMessage> {
    if (this.#exited) return Promise.reject(new Error(this.#exited));
    const id = nextId++;
    return new Promise<BenchMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(id);
        reject(new Error(`worker ${this.index + 1} did not answer ${kind} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(id, {
        kinds: onProgress ? [replyKind, 'memory-warm'] : [replyKind],
        resolve: (message) => {
          if (message[TAG] === 'memory-warm') return onProgress?.(message);
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

function forkWorker(index: number, name: string): Promise<WorkerHandle> {
  const worker = cluster.fork({
    BENCH_SUBJECT: name,
    BENCH_ENV: process.env.BENCH_ENV ?? '{}',
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

async function runCell(workers: WorkerHandle[], cell: CellSpec): Promise<CellOutcome> {
  const { scenario } = cell;
  const prefilled = await workers[0]!.ask('prefill', { scenario }, 'prefilled', PREFILL_TIMEOUT_MS);
  if (typeof prefilled.problem === 'string') return { status: 'na', reason: prefilled.problem };
  const timeout = cell.warmupMs + cell.durationMs + 15_000;
  const replies = await Promise.all(
    workers.slice(0, scenario.workers).map((w) => w.ask('run', { cell }, 'ran', timeout)),
  );
  const runs = replies.map((reply) => reply.run as WorkerRun);
  const histogram = new Histogram();
  let opsPerSec = 0;
  let errors = 0;
  let stuck = 0;
  let firstError: string | undefined;
  for (const run of runs) {
    histogram.merge(run.histogram);
    opsPerSec += run.ops / run.seconds;
    errors += run.errors;
    stuck += run.stuck;
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
    errors,
    firstError,
    ...(runs[0]?.callsPerFrame === undefined
      ? {}
      : {
          callsPerFrame: runs.reduce((sum, run) => sum + (run.callsPerFrame ?? 0), 0) / runs.length,
        }),
  };
}

function larger(a: MemorySample, b: MemorySample): MemorySample {
  return {
    rss: Math.max(a.rss, b.rss),
    heapUsed: Math.max(a.heapUsed, b.heapUsed),
    heapTotal: Math.max(a.heapTotal, b.heapTotal),
  };
}

async function runMemory(workers: WorkerHandle[], spec: MemorySpec): Promise<MemoryOutcome> {
  const used = workers.slice(0, spec.scenario.workers);
  let warmWorkers = 0;
  let warm: MemorySample | undefined;
  let peak: MemorySample = sampleMemory();
  const sampler = setInterval(() => {
    if (warm) peak = larger(peak, sampleMemory());
  }, spec.sampleMs);
  const started = performance.now();
  try {
    const perWorker = {
      ...spec,
      calls: Math.ceil(spec.calls / used.length),
      warmCalls: Math.ceil(spec.warmCalls / used.length),
    };
    // Generous: a slow subject may take a while for a million calls, but not forever.
    const timeout = 600_000;
    const replies = await Promise.all(
      used.map((w) =>
        w.ask('memory', { spec: perWorker }, 'memory-done', timeout, () => {
          warmWorkers++;
          if (warmWorkers === used.length) {
            warm = sampleMemory();
            peak = warm;
          }
        }),
      ),
    );
    const end = sampleMemory();
    const seconds = (performance.now() - started) / 1000;
    const memories = replies.map((reply) => reply.memory as WorkerMemory);
    const errors = memories.reduce((sum, m) => sum + m.errors, 0);
    const calls = memories.reduce((sum, m) => sum + m.calls, 0);
    if (errors > calls * 0.01) {
      return { status: 'failed', reason: `${errors} failed calls: ${memories[0]?.firstError}` };
    }
    const primaryWarm = warm ?? end;
    const processes: ProcessMemory[] = [
      { role: 'primary', warm: primaryWarm, end, peak: larger(peak, end) },
      ...memories.map((m, i) => ({
        role: `worker ${i + 1}`,
        warm: m.warm,
        end: m.end,
        peak: m.peak,
      })),
    ];
    return { status: 'ok', calls, seconds, processes };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const name = process.env.BENCH_SUBJECT ?? '';
  if (!isSubjectName(name)) throw new Error(`unknown subject ${name}`);
  const subject = await loadSubject(name);
  const env = JSON.parse(process.env.BENCH_ENV ?? '{}');
  let host: BenchHost;
  let workers: WorkerHandle[];
  try {
    host = await subject.host(env);
    cluster.setupPrimary({
      exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
      serialization: subject.serialization,
      execArgv: JSON.parse(process.env.BENCH_WORKER_EXEC_ARGV ?? '[]') as string[],
    });
    workers = [];
    // One at a time: two cold starts at once on two cores would only slow each other.
    for (let i = 0; i < WORKERS; i++) workers.push(await forkWorker(i, name));
  } catch (error) {
    toOrchestrator('start-failed', { reason: describeError(error) });
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    process.exit(0);
  }

  // Priming: JIT, connections and buffers warm before the first measured cell, which would
  // otherwise pay for them in its first round only.
  const primeMs = Number(process.env.BENCH_PRIME_MS ?? 0);
  if (primeMs > 0) {
    await runCell(workers, { scenario: SMALL_MIX, warmupMs: 0, durationMs: primeMs }).catch(
      () => {},
    );
  }

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
        const outcome = await runCell(workers, message.cell as CellSpec).catch(
          (error: unknown): CellOutcome => ({ status: 'failed', reason: describeError(error) }),
        );
        toOrchestrator('result', { id, outcome, broken });
        return;
      }
      case 'memory': {
        const outcome = await runMemory(workers, message.spec as MemorySpec).catch(
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

main().catch((error: unknown) => {
  toOrchestrator('start-failed', { reason: describeError(error) });
  process.exit(0);
});
