import { setTimeout as sleep } from 'node:timers/promises';
import type { SparseHistogram } from './histogram.js';
import type { Scenario } from './scenarios.js';

/**
 * The bench's own control messages between the orchestrator, a subject's primary and its
 * workers. They share the IPC channel with the subject under test, so they carry one tag
 * no subject uses, and every subject ignores them.
 */
export const TAG = 'statewireBench';

/** One measurement of one subject in one scenario. */
export interface CellSpec {
  scenario: Scenario;
  warmupMs: number;
  durationMs: number;
}

/** What one worker measured. */
export interface WorkerRun {
  /** Calls that completed inside the measured window. */
  ops: number;
  seconds: number;
  errors: number;
  firstError: string | undefined;
  /** Calls still unsettled well after the window closed. */
  stuck: number;
  /** Calls per frame sent over the whole run, for subjects that batch. */
  callsPerFrame: number | undefined;
  /** Open loop: calls due that were not issued, because too many were outstanding. */
  dropped: number;
  /** CAS increments: attempts inside the window that met a `CONFLICT` and were retried. */
  conflicts?: number;
  histogram: SparseHistogram;
}

/** The outcome of one round of one cell. */
export type CellOutcome =
  | {
      status: 'ok';
      opsPerSec: number;
      p50Us: number;
      p99Us: number;
      p999Us: number;
      errors: number;
      firstError: string | undefined;
      callsPerFrame?: number;
      /** Open loop: the offered rate (calls/s) and the calls dropped as outstanding. */
      offered?: number;
      dropped?: number;
      /** CAS increments: conflicts / attempts (each call is one success after its conflicts). */
      conflictRatio?: number;
    }
  | { status: 'na'; reason: string }
  | { status: 'failed'; reason: string };

/** A memory run: `calls` calls after `warmCalls` of warm-up, sampled every `sampleMs`. */
export interface MemorySpec {
  /** The small-value mix, or the TTL run's writes of new keys with a short ttl. */
  scenario: Scenario;
  calls: number;
  warmCalls: number;
  sampleMs: number;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  /** V8's committed heap, young generation included: where RSS steps come from. */
  heapTotal: number;
}

/**
 * One process's memory over a memory run: `warm` and `end` are settled samples (see
 * {@link settledSample}: after full collections, at rest), `warm` after the warm-up calls and
 * `end` after the last call; `peak` is the largest of the samples taken while the calls ran.
 */
export interface ProcessMemory {
  role: string;
  warm: MemorySample;
  end: MemorySample;
  peak: MemorySample;
}

export type MemoryOutcome =
  | { status: 'ok'; calls: number; seconds: number; processes: ProcessMemory[] }
  | { status: 'failed'; reason: string };

/**
 * What a worker reports when its measured calls are done (its settled `warm` and `end`
 * samples are asked for separately, when every process is at rest).
 */
export interface WorkerMemory {
  calls: number;
  /** Failed calls, warm-up included. */
  errors: number;
  firstError: string | undefined;
  /** The largest samples taken while the measured calls ran. */
  peak: MemorySample;
}

/** A tagged message with a kind and, for requests and replies, an id. */
export interface BenchMessage {
  [TAG]: string;
  id?: number;
  [field: string]: unknown;
}

export function isBenchMessage(message: unknown): message is BenchMessage {
  return typeof message === 'object' && message !== null && TAG in message;
}

export function benchMessage(kind: string, fields: Record<string, unknown> = {}): BenchMessage {
  return { [TAG]: kind, ...fields };
}

/** The larger of each field of two samples: a running peak. */
export function largerSample(a: MemorySample, b: MemorySample): MemorySample {
  return {
    rss: Math.max(a.rss, b.rss),
    heapUsed: Math.max(a.heapUsed, b.heapUsed),
    heapTotal: Math.max(a.heapTotal, b.heapTotal),
  };
}

/** Samples this process's memory. */
export function sampleMemory(): MemorySample {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal };
}

/**
 * How long a settled sample waits, idle, after the collections: V8 sweeps and unmaps freed
 * pages concurrently, after the collection itself has returned, and RSS only drops then.
 */
export const SETTLE_IDLE_MS = 200;

/**
 * Short-lived allocations, through several scavenges. A full collection after about 5 s of
 * little allocation also gives the young generation's second semi-space back to the OS (V8
 * shrinks new space when its allocation rate is low): an idle process (the Redis subject's
 * primary, whose data lives in the redis-server) then samples 16 MiB lower than the same
 * process sampled soon after it was busy, and whether its warm sample came before or after
 * such a pause decided its ratio (1.00 or 0.80 for the same code). Allocating first puts
 * every process's young generation in the same state, both semi-spaces in use, before each
 * settled sample, whatever it did in the seconds before.
 */
function churnYoungGeneration(): void {
  // Stored in a small ring so that the optimizer cannot leave the allocations out.
  const ring: unknown[] = new Array(1024);
  for (let i = 0; i < 2_000_000; i++) ring[i & 1023] = [i, i, i, i];
}

/** `globalThis.gc` where the process runs with `--expose-gc` (the memory runs do). */
export function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : undefined;
}

/**
 * Samples this process's memory at rest, off V8's sawtooth: the young generation brought to
 * one state (see churnYoungGeneration), two full collections (the second takes what the
 * first's finalizers and weak callbacks let go), then `idleMs` with nothing to do, then the
 * sample. Under short-TTL writes the old generation swings by 20–30 MiB between
 * full collections, so a sample taken at an arbitrary moment says where on that swing the
 * process happened to be, not what the calls retained. The caller makes sure no calls run.
 * @param gc - a full collection; without one (no `--expose-gc`) only the idle wait is done;
 *   by default the exposed `globalThis.gc`, if any
 * @param idleMs - the idle wait after the collections; by default {@link SETTLE_IDLE_MS}
 */
export async function settledSample(
  gc: (() => void) | undefined = exposedGc(),
  idleMs = SETTLE_IDLE_MS,
): Promise<MemorySample> {
  if (gc) {
    churnYoungGeneration();
    gc();
    gc();
  }
  await sleep(idleMs);
  return sampleMemory();
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
