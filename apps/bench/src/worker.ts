/**
 * The cluster worker program: connects the subject's client once, then does what its
 * primary asks: prefill, timed runs, memory runs.
 */
import { prefill, runCalls, runOpen, runTimed } from './load.js';
import {
  type BenchMessage,
  benchMessage,
  type CellSpec,
  describeError,
  isBenchMessage,
  type MemorySpec,
  TAG,
} from './messages.js';
import type { Scenario } from './scenarios.js';
import { isSubjectName, loadSubject } from './subjects/index.js';
import type { BenchClient, SubjectEnv } from './subjects/subject.js';

function send(kind: string, fields: Record<string, unknown> = {}): void {
  if (process.connected) process.send!(benchMessage(kind, fields));
}

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
      case 'memory': {
        const spec = message.spec as MemorySpec;
        const memory = await runCalls(
          client,
          spec.scenario,
          spec.warmCalls,
          spec.calls,
          spec.sampleMs,
          (sample) => send('memory-warm', { id, sample }),
        );
        send('memory-done', { id, memory });
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
