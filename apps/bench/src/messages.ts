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

/** One process's memory over a memory run: after warm-up, at the end, and the peak. */
export interface ProcessMemory {
  role: string;
  warm: MemorySample;
  end: MemorySample;
  peak: MemorySample;
}

export type MemoryOutcome =
  | { status: 'ok'; calls: number; seconds: number; processes: ProcessMemory[] }
  | { status: 'failed'; reason: string };

/** What a worker reports at the end of a memory run. */
export interface WorkerMemory {
  calls: number;
  errors: number;
  firstError: string | undefined;
  warm: MemorySample;
  end: MemorySample;
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

/** Samples this process's memory. */
export function sampleMemory(): MemorySample {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
