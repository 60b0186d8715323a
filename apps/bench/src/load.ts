import { performance } from 'node:perf_hooks';
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Histogram } from './histogram.js';
import {
  describeError,
  largerSample,
  sampleMemory,
  type WorkerMemory,
  type WorkerRun,
} from './messages.js';
import { mixSets, type Scenario } from './scenarios.js';
import type { BenchClient } from './subjects/subject.js';
import { makeValue, roundTripProblem } from './values.js';

/** How long after the window closes unsettled calls are waited for before being reported. */
const STUCK_GRACE_MS = 3000;

/** The keys a scenario cycles through; the same names in every subject. */
export function scenarioKeys(scenario: Scenario): string[] {
  const prefix =
    scenario.op === 'cas-increment'
      ? 'cas'
      : scenario.op === 'increment'
        ? scenario.keys === 1
          ? 'hot'
          : 'counter'
        : scenario.value;
  return Array.from({ length: scenario.keys }, (_, i) => `${prefix}:${i}`);
}

// Distinct per worker, so the TTL run's keys are new on every call across all workers.
const workerIndex = process.env.BENCH_WORKER_INDEX ?? '0';

/** Makes call number `n` of a scenario. */
function caller(client: BenchClient, scenario: Scenario): (n: number) => Promise<unknown> {
  const keys = scenarioKeys(scenario);
  const value = makeValue(scenario.value);
  const kind = scenario.value;
  const key = (n: number) => keys[n % keys.length]!;
  switch (scenario.op) {
    case 'get':
      return (n) => client.get(key(n), kind);
    case 'set':
      return (n) => client.set(key(n), value);
    case 'increment':
      return (n) => client.increment(key(n));
    case 'mix':
      return (n) => (mixSets(n) ? client.set(key(n), value) : client.get(key(n), kind));
    case 'cas-increment': {
      const casIncrement = client.casIncrement?.bind(client);
      if (!casIncrement) return () => Promise.reject(new Error('this subject has no versions'));
      return (n) => casIncrement(key(n));
    }
    case 'set-ttl': {
      const ttl = scenario.ttlMs ?? 100;
      const setWithTtl = client.setWithTtl?.bind(client);
      if (!setWithTtl) return () => Promise.reject(new Error('this subject has no ttl'));
      return (n) => setWithTtl(`ttl:${workerIndex}:${n}`, value, ttl);
    }
  }
}

/** Why a subject could not be measured in a scenario: `na` when it cannot carry it. */
export interface PrefillProblem {
  status: 'na' | 'failed';
  reason: string;
}

// A set refused for what the value is (a subject that cannot carry it) is n/a; anything
// else (a lost connection, a dead server, a timeout) is a failure and says its cause.
const REFUSES_VALUE = /^(INVALID_VALUE|TOO_LARGE)\b/;

/**
 * Stores the scenario's value under all its keys, then reads one back: a value that does not
 * round-trip exactly, or a set refused as invalid or too large, means the subject cannot
 * carry it (`na`); any other error fails the cell with its cause.
 * @returns the problem, or `undefined`
 */
export async function prefill(
  client: BenchClient,
  scenario: Scenario,
): Promise<PrefillProblem | undefined> {
  if (scenario.op === 'increment' || scenario.op === 'cas-increment' || scenario.op === 'set-ttl')
    return undefined;
  const keys = scenarioKeys(scenario);
  const value = makeValue(scenario.value);
  let next = 0;
  const filler = async () => {
    while (next < keys.length) await client.set(keys[next++]!, value);
  };
  try {
    await Promise.all(Array.from({ length: 16 }, filler));
  } catch (error) {
    const why = describeError(error);
    return REFUSES_VALUE.test(why)
      ? { status: 'na', reason: `set is refused: ${why}` }
      : { status: 'failed', reason: `prefill: set failed: ${why}` };
  }
  let read: unknown;
  try {
    read = await client.get(keys[0]!, scenario.value);
  } catch (error) {
    return { status: 'failed', reason: `prefill: get failed: ${describeError(error)}` };
  }
  if (client.holdsNoData) return undefined;
  const problem = roundTripProblem(scenario.value, value, read);
  return problem === undefined ? undefined : { status: 'na', reason: problem };
}

/**
 * Runs `inFlight` call loops: each issues a call, awaits it, issues the next. Calls that
 * complete inside the window after the warm-up are counted and their latency recorded.
 */
export async function runTimed(
  client: BenchClient,
  scenario: Scenario,
  warmupMs: number,
  durationMs: number,
): Promise<WorkerRun> {
  const call = caller(client, scenario);
  const histogram = new Histogram();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const deadline = windowStart + durationMs;
  let counter = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  let unsettled = 0;
  let completed = 0;
  // A CAS increment resolves the conflicts it met before it succeeded.
  const cas = scenario.op === 'cas-increment';
  let conflicts = 0;
  const framesBefore = client.framesOut?.();

  const loop = async () => {
    for (;;) {
      const t0 = performance.now();
      // Checked every call, not by a timer: a subject that settles from microtasks would
      // otherwise keep a timer from ever firing.
      if (t0 >= deadline) return;
      unsettled++;
      let result: unknown;
      try {
        result = await call(counter++);
      } catch (error) {
        errors++;
        firstError ??= describeError(error);
        // A call failing at once would spin without letting I/O or timers run.
        await yieldToEventLoop();
      }
      unsettled--;
      completed++;
      const t1 = performance.now();
      if (t1 > windowStart && t1 <= deadline) {
        ops++;
        if (cas && typeof result === 'number') conflicts += result;
        histogram.record((t1 - t0) * 1000);
      }
    }
  };

  const loops = Promise.all(Array.from({ length: scenario.inFlight }, loop));
  const ended = await Promise.race([
    loops.then(() => true),
    sleep(deadline - start + STUCK_GRACE_MS).then(() => false),
  ]);
  const frames = framesBefore === undefined ? undefined : client.framesOut!() - framesBefore;
  return {
    ops,
    // A CAS increment is several calls on the wire: calls per frame would say nothing.
    callsPerFrame: frames && !cas ? completed / frames : undefined,
    seconds: durationMs / 1000,
    errors,
    firstError,
    stuck: ended ? 0 : unsettled,
    dropped: 0,
    ...(cas ? { conflicts } : {}),
    histogram: histogram.toSparse(),
  };
}

/**
 * The open loop: calls are due at a fixed rate (`scenario.rate` over all workers) whether or
 * not earlier ones have answered, and each call's latency runs from when it was due, not
 * from when it was issued, so a subject that falls behind shows it in its percentiles
 * instead of slowing the load (no coordinated omission). A worker checks the schedule every
 * millisecond; past `scenario.inFlight` outstanding calls the subject is saturated, and the
 * calls then due are dropped and counted.
 */
export async function runOpen(
  client: BenchClient,
  scenario: Scenario,
  warmupMs: number,
  durationMs: number,
): Promise<WorkerRun> {
  const call = caller(client, scenario);
  const perMs = (scenario.rate ?? 0) / scenario.workers / 1000;
  const histogram = new Histogram();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const deadline = windowStart + durationMs;
  let due = 0;
  let outstanding = 0;
  let ops = 0;
  let errors = 0;
  let dropped = 0;
  let firstError: string | undefined;
  const issue = (n: number, dueAt: number) => {
    outstanding++;
    call(n).then(
      () => {
        outstanding--;
        // Every call due inside the window counts, however late it answers (within the
        // grace): leaving out the slowest would flatter the tail.
        if (dueAt >= windowStart && dueAt < deadline) {
          ops++;
          histogram.record((performance.now() - dueAt) * 1000);
        }
      },
      (error: unknown) => {
        outstanding--;
        errors++;
        firstError ??= describeError(error);
      },
    );
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const end = Math.min(now, deadline);
      while (start + due / perMs <= end) {
        const dueAt = start + due / perMs;
        if (outstanding >= scenario.inFlight) {
          if (dueAt >= windowStart) dropped++;
        } else issue(due, dueAt);
        due++;
      }
      if (now >= deadline) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const graceEnd = performance.now() + STUCK_GRACE_MS;
  while (outstanding > 0 && performance.now() < graceEnd) await sleep(5);
  return {
    ops,
    callsPerFrame: undefined,
    seconds: durationMs / 1000,
    errors,
    firstError,
    stuck: outstanding,
    dropped,
    histogram: histogram.toSparse(),
  };
}

/**
 * One worker's side of a memory run, in steps the primary drives so that every process can be
 * sampled at rest between them: {@link warmUp}, then (after the settled warm samples)
 * {@link measure}. Calls are numbered on from one step to the next, so the TTL run writes a
 * new key on every call of both.
 */
export class MemorySession {
  readonly #call: (n: number) => Promise<unknown>;
  readonly #inFlight: number;
  #issued = 0;
  #errors = 0;
  #firstError: string | undefined;

  /**
   * @param client - the subject's client
   * @param scenario - what each call does, and how many are in flight
   */
  constructor(client: BenchClient, scenario: Scenario) {
    this.#call = caller(client, scenario);
    this.#inFlight = scenario.inFlight;
  }

  /** Calls issued so far, both steps. */
  get issued(): number {
    return this.#issued;
  }

  /**
   * Makes `count` calls of warm-up.
   * @throws Error after more than 1000 failed calls
   */
  warmUp(count: number): Promise<void> {
    return this.#calls(count);
  }

  /**
   * Makes `count` calls while sampling this process's memory every `sampleMs` for the peak.
   * @throws Error after more than 1000 failed calls (warm-up included)
   */
  async measure(count: number, sampleMs: number): Promise<WorkerMemory> {
    let peak = sampleMemory();
    const sampler = setInterval(() => {
      peak = largerSample(peak, sampleMemory());
    }, sampleMs);
    try {
      await this.#calls(count);
    } finally {
      clearInterval(sampler);
    }
    return {
      calls: count,
      errors: this.#errors,
      firstError: this.#firstError,
      peak: largerSample(peak, sampleMemory()),
    };
  }

  async #calls(count: number): Promise<void> {
    const end = this.#issued + count;
    const loop = async () => {
      while (this.#issued < end) {
        const n = this.#issued++;
        try {
          await this.#call(n);
        } catch (error) {
          this.#errors++;
          this.#firstError ??= describeError(error);
          if (this.#errors > 1000) throw new Error(`too many failed calls: ${this.#firstError}`);
          // A call failing at once would spin without letting I/O or timers run.
          await yieldToEventLoop();
        }
      }
    };
    await Promise.all(Array.from({ length: this.#inFlight }, loop));
  }
}
