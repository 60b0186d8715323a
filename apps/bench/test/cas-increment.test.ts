import { createMemoryStore } from '@statewire/core';
import { describe, expect, it } from 'vitest';
import { runTimed } from '../src/load.js';
import { summarize } from '../src/results.js';
import { CAS_INCREMENT } from '../src/scenarios.js';
import { storeClient } from '../src/subjects/store-client.js';
import { cellRow } from '../src/table.js';
import { ok, runData } from './run-data.js';

// Issue 15: the bench reports CAS-increment throughput under contention, and how many
// attempts met a CONFLICT.
describe('the CAS increment', () => {
  it('runTimed() counts successful CAS increments and the conflicts on the way, losing no update', async () => {
    const store = createMemoryStore();
    const client = storeClient(store);
    // Four call loops on one key in one process: their reads interleave, so writes conflict.
    const run = await runTimed(client, { ...CAS_INCREMENT, inFlight: 4 }, 0, 300);
    expect(run.errors).toBe(0);
    expect(run.ops).toBeGreaterThan(0);
    expect(run.conflicts).toBeGreaterThan(0);
    // Every call is one increment that succeeded: none lost, whatever conflicted.
    const total = (await store.get('cas:0')) as number;
    expect(total).toBeGreaterThanOrEqual(run.ops);
    await store.close();
  });

  it('summarize() takes the median conflict ratio of the rounds, and the table says it', () => {
    const round = (ops: number, conflictRatio: number) => ({ ...ok(ops), conflictRatio });
    const data = runData([CAS_INCREMENT], {
      [CAS_INCREMENT.id]: { ipc: [round(100, 0.2), round(110, 0.4), round(90, 0.3)] },
    });
    const summary = summarize(data, data.cells[0]!);
    expect(summary.conflictRatio).toBeCloseTo(0.3);
    expect(cellRow(summary).at(-1)).toContain('30% of CAS attempts conflicted');
  });
});
