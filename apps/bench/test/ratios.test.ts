import { describe, expect, it } from 'vitest';
import { computeRatios } from '../src/ratios.js';
import { strongestRounds, summarize } from '../src/results.js';
import { SMALL_MIX, sweepScenario } from '../src/scenarios.js';
import { failed, ok, runData } from './run-data.js';

const ratio = (data: ReturnType<typeof runData>, name: string) => {
  const found = computeRatios(data).find((r) => r.name === name);
  if (!found) throw new Error(`no ratio ${name}`);
  return found;
};

// Issue 13: named ratios are taken against the strongest baseline of each family, round by
// round, not against the naive unbatched one.
describe('computeRatios()', () => {
  it('computeRatios() pairs each round with the strongest IPC baseline of that round', () => {
    const data = runData([SMALL_MIX], {
      [SMALL_MIX.id]: {
        ipc: [ok(100), ok(100), ok(100)],
        'raw-json': [ok(50), ok(125), ok(50)],
        'raw-batched': [ok(200), ok(80), ok(100)],
      },
    });
    const r = ratio(data, 'ipc_small_vs_strongest_raw');
    // Rounds: 100/200, 100/125, 100/100 -> median 0.8.
    expect(r.value).toBeCloseTo(0.8, 6);
    expect(r.status).toBe('missed');
    expect(r.rounds?.baselineSubject).toEqual(['raw-batched', 'raw-json', 'raw-batched']);
    expect(r.paired?.perRound).toEqual([0.5, 0.8, 1]);
  });

  it('computeRatios() counts the coalescing ioredis baseline in the Redis family', () => {
    const data = runData([SMALL_MIX], {
      [SMALL_MIX.id]: {
        redis: [ok(100), ok(100), ok(100)],
        ioredis: [ok(50), ok(50), ok(50)],
        'ioredis-auto': [ok(80), ok(80), ok(80)],
        'ioredis-coalesce': [ok(125), ok(125), ok(125)],
      },
    });
    const r = ratio(data, 'redis_small_vs_strongest_ioredis');
    expect(r.value).toBeCloseTo(0.8, 6);
    expect(r.detail).toContain('ioredis-coalesce');
  });

  it('computeRatios() falls back to the baselines that completed a round', () => {
    const data = runData([SMALL_MIX], {
      [SMALL_MIX.id]: {
        ipc: [ok(100), ok(100)],
        'raw-json': [ok(50), ok(50)],
        'raw-batched': [failed('boom'), ok(200)],
      },
    });
    expect(ratio(data, 'ipc_small_vs_strongest_raw').paired?.perRound).toEqual([2, 0.5]);
  });

  it('computeRatios() names the worst sweep cell against unbatched raw-json', () => {
    const one = sweepScenario(2, 1);
    const data = runData([SMALL_MIX, one], {
      [SMALL_MIX.id]: { ipc: [ok(300)], 'ipc-msgpack': [ok(400)], 'raw-json': [ok(100)] },
      [one.id]: { ipc: [ok(90)], 'ipc-msgpack': [ok(120)], 'raw-json': [ok(100)] },
    });
    const r = ratio(data, 'ipc_sweep_worst_vs_raw_json');
    expect(r.value).toBeCloseTo(0.9, 6);
    expect(r.detail).toContain(`ipc ${one.id}`);
  });

  it('computeRatios() says a ratio whose cells a run left out is not in this run', () => {
    const data = runData([SMALL_MIX], { [SMALL_MIX.id]: { ipc: [ok(1)], 'raw-json': [ok(1)] } });
    const r = ratio(data, 'ipc_string64k_get_vs_strongest_raw');
    expect(r.status).toBe('not-in-run');
    expect(r.met).toBe(false);
  });
});

describe('summarize()', () => {
  it('summarize() shows a baseline its ratio to the strongest and an IPC subject its ratio to the limit', () => {
    const data = runData([SMALL_MIX], {
      [SMALL_MIX.id]: {
        ipc: [ok(100)],
        'raw-json': [ok(50)],
        'raw-batched': [ok(200)],
        'raw-socket': [ok(400)],
      },
    });
    const rows = data.cells.map((cell) => summarize(data, cell));
    const ipc = rows.find((s) => s.subject === 'ipc')!;
    expect(ipc.baseline).toBe('raw-batched');
    expect(ipc.ratio?.value).toBeCloseTo(0.5, 6);
    expect(ipc.limit?.value).toBeCloseTo(0.25, 6);
    expect(rows.find((s) => s.subject === 'raw-json')!.ratio?.value).toBeCloseTo(0.25, 6);
  });

  it('strongestRounds() is empty for a scenario without baselines', () => {
    expect(strongestRounds(runData([SMALL_MIX], {}), SMALL_MIX.id, 'ipc')).toEqual([]);
  });
});
