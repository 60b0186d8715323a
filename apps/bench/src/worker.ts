/**
 * The cluster worker program: connects the subject's client once, then does what its
 * primary asks: prefill, timed runs, memory runs.
 */
import { MemorySession, prefill, runOpen, runTimed } from './load.js';
import {
  type BenchMessage,
  benchMessage,
  type CellSpec,
  describeError,
  isBenchMessage,
  type MemorySpec,
  settledSample,
  TAG,
} from './messages.js';
import type { Scenario } from './scenarios.js';
import { isSubjectName, loadSubject } from './subjects/index.js';
import type { BenchClient, SubjectEnv } from './subjects/subject.js';

function send(kind: string, fields: Record<string, unknown> = {}): void {
  if (process.connected) process.send!(benchMessage(kind, fields));
}

/** The memory run in progress, between its warm-up and its measured calls. */
let memory: { session: MemorySession; spec: MemorySpec } | undefined;

async function handle(client: BenchClient, message: BenchMessage): Promise<void> {
  const { id } = message;
  try {
    switch (message[TAG]) {
      case 'prefill': {
        const problem = await prefill(client, message.scenario as Scenario);
        send('prefilled', { id, problem });
        return;
      }
      case 'run': {
        const cell = message.cell as CellSpec;
        const measure = cell.scenario.rate === undefined ? runTimed : runOpen;
        const run = await measure(client, cell.scenario, cell.warmupMs, cell.durationMs);
        send('ran', { id, run });
        return;
      }
      // A memory run, step by step: the primary waits for every worker between steps, so
      // that the settled samples are taken with no calls running anywhere.
      case 'memory-warm-up': {
        const spec = message.spec as MemorySpec;
        memory = { session: new MemorySession(client, spec.scenario), spec };
        await memory.session.warmUp(spec.warmCalls);
        send('memory-warmed', { id });
        return;
      }
      case 'memory-settle': {
        send('memory-settled', { id, sample: await settledSample() });
        return;
      }
      case 'memory-measure': {
        if (!memory) throw new Error('memory-measure before memory-warm-up');
        const { session, spec } = memory;
        memory = undefined;
        send('memory-measured', { id, memory: await session.measure(spec.calls, spec.sampleMs) });
        return;
      }
    }
  } catch (error) {
    send('error', { id, reason: describeError(error) });
  }
}

async function main(): Promise<void> {
  const name = process.env.BENCH_SUBJECT ?? '';
  if (!isSubjectName(name)) throw new Error(`unknown subject ${name}`);
  const env = {
    ...(JSON.parse(process.env.BENCH_ENV ?? '{}') as SubjectEnv),
    host: JSON.parse(process.env.BENCH_HOST_ENV ?? '{}') as Record<string, string>,
  };
  let client: BenchClient;
  try {
    const subject = await loadSubject(name);
    client = await subject.client(env);
    // One call proves the subject answers before any measurement starts.
    await client.get('bench:hello', 'small');
  } catch (error) {
    send('start-failed', { reason: describeError(error) });
    return;
  }
  process.on('message', (message: unknown) => {
    if (!isBenchMessage(message)) return;
    if (message[TAG] === 'exit') process.exit(0);
    void handle(client, message);
  });
  send('ready');
}

// Cluster workers exit when their primary's channel closes; this also covers a primary that
// is gone while the channel lingers.
const parent = process.ppid;
setInterval(() => {
  if (!process.connected || process.ppid !== parent) process.exit(0);
}, 1000).unref();

main().catch((error: unknown) => {
  send('start-failed', { reason: describeError(error) });
});
