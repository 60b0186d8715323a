import { describe, expect, it } from 'vitest';
import { CallQueue } from '../src/transport.js';

interface Call {
  id: number;
  bytes: number;
}

/** A queue whose flushes take everything and record each batch; `settled` ids are skipped. */
function recordingQueue(maxCalls = 1000, budgetBytes = 1_000_000) {
  const settled = new Set<number>();
  const batches: number[][] = [];
  const queue: CallQueue<Call> = new CallQueue<Call>({
    isLive: (call) => !settled.has(call.id),
    flush() {
      for (;;) {
        const batch = queue.take({ maxCalls, budgetBytes, sizeOf: (call) => call.bytes });
        if (batch.length === 0) return;
        batches.push(batch.map((call) => call.id));
      }
    },
  });
  return { queue, settled, batches };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('CallQueue', () => {
  it('push() of a call while idle and empty flushes at once, in the same turn', () => {
    const { queue, batches } = recordingQueue();
    queue.push({ id: 1, bytes: 1 }, true);
    expect(batches).toEqual([[1]]);
    expect(queue.length).toBe(0);
    expect(queue.scheduled).toBe(false);
  });

  it('push() while busy waits for one flush on a later turn that takes the whole turn', async () => {
    const { queue, batches } = recordingQueue();
    for (let id = 1; id <= 5; id++) queue.push({ id, bytes: 1 }, false);
    expect(batches).toEqual([]);
    expect(queue.scheduled).toBe(true);
    await turn();
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('push() never sends a call at once ahead of calls queued before it', async () => {
    const { queue, batches } = recordingQueue();
    queue.push({ id: 1, bytes: 1 }, false);
    queue.push({ id: 2, bytes: 1 }, true);
    expect(batches).toEqual([]);
    await turn();
    expect(batches).toEqual([[1, 2]]);
  });

  it('schedule() holds an empty queue: calls pushed before the flush wait for it', async () => {
    const { queue, batches } = recordingQueue();
    queue.schedule();
    queue.push({ id: 1, bytes: 1 }, true);
    queue.push({ id: 2, bytes: 1 }, true);
    expect(batches).toEqual([]);
    await turn();
    expect(batches).toEqual([[1, 2]]);
  });

  it('take() skips calls that settled while queued', async () => {
    const { queue, settled, batches } = recordingQueue();
    for (let id = 1; id <= 4; id++) queue.push({ id, bytes: 1 }, false);
    settled.add(1);
    settled.add(3);
    await turn();
    expect(batches).toEqual([[2, 4]]);
  });

  it('take() closes a batch at maxCalls and once the byte budget is reached', async () => {
    const byCount = recordingQueue(2);
    for (let id = 1; id <= 5; id++) byCount.queue.push({ id, bytes: 1 }, false);
    await turn();
    expect(byCount.batches).toEqual([[1, 2], [3, 4], [5]]);
    // A budget of 10: the call that reaches it is the batch's last, never split.
    const byBytes = recordingQueue(1000, 10);
    for (const [id, bytes] of [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 20],
      [5, 1],
    ] as const) {
      byBytes.queue.push({ id, bytes }, false);
    }
    await turn();
    expect(byBytes.batches).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('peek() and shift() let a sender stop before a call and keep it first', () => {
    const settled = new Set<number>([1]);
    const queue = new CallQueue<Call>({ isLive: (call) => !settled.has(call.id), flush() {} });
    queue.push({ id: 1, bytes: 1 }, false);
    queue.push({ id: 2, bytes: 1 }, false);
    queue.push({ id: 3, bytes: 1 }, false);
    expect(queue.peek()?.id).toBe(2);
    expect(queue.peek()?.id).toBe(2);
    expect(queue.shift()?.id).toBe(2);
    expect(queue.length).toBe(1);
    expect(queue.shift()?.id).toBe(3);
    expect(queue.shift()).toBeUndefined();
  });

  it('dropSettled() and clear() keep only live calls, in order', () => {
    const settled = new Set<number>();
    const queue = new CallQueue<Call>({ isLive: (call) => !settled.has(call.id), flush() {} });
    for (let id = 1; id <= 6; id++) queue.push({ id, bytes: 1 }, false);
    settled.add(2);
    settled.add(5);
    queue.dropSettled();
    expect(queue.length).toBe(4);
    settled.add(1);
    expect(queue.clear().map((call) => call.id)).toEqual([3, 4, 6]);
    expect(queue.length).toBe(0);
  });

  it('holds no more than its live calls after long use', async () => {
    const { queue, batches } = recordingQueue(7);
    for (let id = 1; id <= 5000; id++) queue.push({ id, bytes: 1 }, false);
    await turn();
    expect(batches.flat()).toHaveLength(5000);
    expect(queue.length).toBe(0);
  });
});
