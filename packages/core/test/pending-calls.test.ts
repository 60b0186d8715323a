import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Op, PendingCalls } from '../src/transport.js';
import { rejectsWith } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('PendingCalls', () => {
  it('create() gives every call a distinct id and counts it pending', () => {
    const calls = new PendingCalls('test');
    const a = calls.create(Op.get, 1000, undefined);
    const b = calls.create(Op.set, 1000, undefined);
    expect(a.id).not.toBe(b.id);
    expect(calls.size).toBe(2);
    expect(calls.has(a.id) && calls.has(b.id)).toBe(true);
    calls.resolve(a.id, 1);
    calls.resolve(b.id, 2);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
  });

  it('resolve() then reject() settles exactly once', async () => {
    const calls = new PendingCalls('test');
    const { id, promise } = calls.create(Op.get, 1000, undefined);
    expect(calls.resolve(id, 'first')).toBe(true);
    expect(calls.reject(id, new Error('late'))).toBe(false);
    expect(calls.resolve(id, 'second')).toBe(false);
    expect(calls.fail(id, 'TIMEOUT', 'late')).toBe(false);
    await expect(promise).resolves.toBe('first');
    expect(calls.timers).toBe(0);
  });

  it('reject() then resolve() settles exactly once', async () => {
    const calls = new PendingCalls('test');
    const { id, promise } = calls.create(Op.get, 1000, undefined);
    const error = new Error('first');
    expect(calls.reject(id, error)).toBe(true);
    expect(calls.resolve(id, 'late')).toBe(false);
    await expect(promise).rejects.toBe(error);
  });

  it('resolve() of an unknown id is ignored', () => {
    const calls = new PendingCalls('test');
    expect(calls.resolve(12345, 'x')).toBe(false);
    expect(calls.reject(-1, 'x')).toBe(false);
  });

  it('create() never settles synchronously', async () => {
    const calls = new PendingCalls('test');
    const { id, promise } = calls.create(Op.get, 1000, undefined);
    let settled = false;
    void promise.then(() => {
      settled = true;
    });
    calls.resolve(id, 1);
    expect(settled).toBe(false);
    await promise;
    expect(settled).toBe(true);
  });

  it('a timeout rejects TIMEOUT with maybeApplied true for a sent write', async () => {
    const calls = new PendingCalls('test');
    const { id, promise } = calls.create(Op.set, 100, undefined);
    calls.markSent(id);
    const result = rejectsWith(promise, 'TIMEOUT');
    vi.advanceTimersByTime(99);
    expect(calls.has(id)).toBe(true);
    vi.advanceTimersByTime(20);
    const error = await result;
    expect(error.maybeApplied).toBe(true);
    expect(error.message).toContain('set()');
    expect(error.message).toContain('test');
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
    expect(calls.timeouts).toBe(1);
  });

  it('a timeout rejects TIMEOUT with maybeApplied false for a write never sent', async () => {
    const calls = new PendingCalls('test');
    const { promise } = calls.create(Op.increment, 50, undefined);
    const result = rejectsWith(promise, 'TIMEOUT');
    vi.advanceTimersByTime(100);
    expect((await result).maybeApplied).toBe(false);
  });

  it('a timeout of a read carries no maybeApplied', async () => {
    const calls = new PendingCalls('test');
    for (const op of [Op.get, Op.has, Op.keys, Op.getMany]) {
      const { id, promise } = calls.create(op, 50, undefined);
      calls.markSent(id);
      const result = rejectsWith(promise, 'TIMEOUT');
      vi.advanceTimersByTime(100);
      expect('maybeApplied' in (await result)).toBe(false);
    }
  });

  it('every write op is a write', async () => {
    const calls = new PendingCalls('test');
    for (const op of [
      Op.set,
      Op.delete,
      Op.clear,
      Op.setMany,
      Op.deleteMany,
      Op.increment,
      Op.setIfAbsent,
    ]) {
      const { id, promise } = calls.create(op, 50, undefined);
      calls.markSent(id);
      const result = rejectsWith(promise, 'TIMEOUT');
      vi.advanceTimersByTime(100);
      expect((await result).maybeApplied).toBe(true);
    }
  });

  it('abort rejects ABORTED with the reason as cause, and clears the timer', async () => {
    const calls = new PendingCalls('test');
    const controller = new AbortController();
    const { id, promise } = calls.create(Op.set, 10_000, controller.signal);
    calls.markSent(id);
    const reason = new Error('user gave up');
    controller.abort(reason);
    const error = await rejectsWith(promise, 'ABORTED');
    expect(error.cause).toBe(reason);
    expect(error.maybeApplied).toBe(true);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('abort of a read carries no maybeApplied', async () => {
    const calls = new PendingCalls('test');
    const controller = new AbortController();
    const { promise } = calls.create(Op.get, 10_000, controller.signal);
    controller.abort();
    expect('maybeApplied' in (await rejectsWith(promise, 'ABORTED'))).toBe(false);
  });

  it('an already-aborted signal rejects ABORTED and registers nothing', async () => {
    const idle = vi.fn();
    const busy = vi.fn();
    const calls = new PendingCalls('test', { busy, idle });
    const reason = new Error('already');
    const { id, promise } = calls.create(Op.set, 10_000, AbortSignal.abort(reason));
    expect(calls.has(id)).toBe(false);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
    const error = await rejectsWith(promise, 'ABORTED');
    expect(error.cause).toBe(reason);
    expect(error.maybeApplied).toBe(false);
    expect(busy).not.toHaveBeenCalled();
  });

  it('abort after settlement is ignored, and the listener is gone', async () => {
    const calls = new PendingCalls('test');
    const controller = new AbortController();
    const { id, promise } = calls.create(Op.get, 10_000, controller.signal);
    calls.resolve(id, 'value');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    await expect(promise).resolves.toBe('value');
  });

  it('one long-lived signal shared by many calls keeps no listeners after they settle', async () => {
    const calls = new PendingCalls('test');
    const controller = new AbortController();
    const promises: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const { id, promise } = calls.create(Op.get, 10_000, controller.signal);
      promises.push(promise.catch(() => undefined));
      if (i % 2 === 0) calls.resolve(id, i);
    }
    vi.advanceTimersByTime(20_000);
    await Promise.allSettled(promises);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(calls.size).toBe(0);
  });

  it('fail() sets maybeApplied from markSent(), failAll() rejects every call', async () => {
    const calls = new PendingCalls('test');
    const sent = calls.create(Op.set, 10_000, undefined);
    const unsent = calls.create(Op.set, 10_000, undefined);
    const read = calls.create(Op.get, 10_000, undefined);
    calls.markSent(sent.id);
    calls.markSent(read.id);
    const cause = new Error('pipe broke');
    calls.failAll('CONNECTION_LOST', 'lost', cause);
    const [a, b, c] = await Promise.all([
      rejectsWith(sent.promise, 'CONNECTION_LOST'),
      rejectsWith(unsent.promise, 'CONNECTION_LOST'),
      rejectsWith(read.promise, 'CONNECTION_LOST'),
    ]);
    expect(a.maybeApplied).toBe(true);
    expect(b.maybeApplied).toBe(false);
    expect('maybeApplied' in c).toBe(false);
    expect(a.cause).toBe(cause);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
  });

  it('100k calls that time out leave size 0 and timers 0', async () => {
    const calls = new PendingCalls('test');
    const outcomes: Promise<unknown>[] = [];
    for (let i = 0; i < 100_000; i++) {
      // Spread over a few ms so that several deadline buckets are in use.
      if (i % 25_000 === 0) vi.advanceTimersByTime(2);
      const { id, promise } = calls.create(i % 2 ? Op.set : Op.get, 50, undefined);
      if (i % 3 === 0) calls.markSent(id);
      outcomes.push(
        promise.then(
          () => 'resolved',
          (error: { code?: unknown }) => error.code,
        ),
      );
    }
    expect(calls.size).toBe(100_000);
    // Deadlines share timers: a handful, not one per call.
    expect(calls.timers).toBeLessThanOrEqual(5);
    vi.advanceTimersByTime(100);
    const results = await Promise.all(outcomes);
    expect(results.every((code) => code === 'TIMEOUT')).toBe(true);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
    expect(calls.timeouts).toBe(100_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('100k calls resolved before their deadline leave no timers armed', async () => {
    const calls = new PendingCalls('test');
    const ids: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 10_000 === 0) vi.advanceTimersByTime(1);
      const { id, promise } = calls.create(Op.get, 5000, undefined);
      ids.push(id);
      void promise;
    }
    for (const id of ids) calls.resolve(id, null);
    expect(calls.size).toBe(0);
    expect(calls.timers).toBe(0);
    // The buckets' timers, now idle and unreferenced, fire once at their deadline and go.
    expect(vi.getTimerCount()).toBeLessThanOrEqual(64);
    vi.advanceTimersByTime(5100);
    expect(vi.getTimerCount()).toBe(0);
    expect(calls.timeouts).toBe(0);
  });

  it('one call at a time reuses its bucket timer instead of arming one per call', () => {
    const calls = new PendingCalls('test');
    const armed = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 1000; i++) {
      const { id, promise } = calls.create(Op.get, 5000, undefined);
      void promise;
      calls.resolve(id, null);
    }
    expect(armed.mock.calls.length).toBeLessThanOrEqual(1);
    expect(calls.timers).toBe(0);
    armed.mockRestore();
  });

  it('one call at a time over many buckets arms one timer per bucket, not one per call', () => {
    const calls = new PendingCalls('test');
    const armed = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    // 20 calls per 10 ms bucket for 3 s: 300 buckets, far more than the idle timers kept,
    // all within one 5 s timeout.
    for (let i = 0; i < 6000; i++) {
      const { id, promise } = calls.create(Op.get, 5000, undefined);
      void promise;
      calls.resolve(id, null);
      vi.advanceTimersByTime(0.5);
    }
    expect(armed.mock.calls.length).toBeLessThanOrEqual(302);
    expect(cleared.mock.calls.length).toBeLessThanOrEqual(302);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(64);
    expect(calls.timers).toBe(0);
    // The timers kept are the newest: a call now still lands in an armed bucket.
    const last = calls.create(Op.get, 5000, undefined);
    void last.promise;
    expect(armed.mock.calls.length).toBeLessThanOrEqual(302);
    calls.resolve(last.id, null);
    armed.mockRestore();
    cleared.mockRestore();
  });

  it('a call that lands in an idle bucket still times out', async () => {
    const calls = new PendingCalls('test');
    const first = calls.create(Op.get, 50, undefined);
    calls.resolve(first.id, null);
    const second = calls.create(Op.set, 50, undefined);
    expect(calls.timers).toBe(1);
    const outcome = rejectsWith(second.promise, 'TIMEOUT');
    vi.advanceTimersByTime(100);
    await outcome;
    expect(calls.timeouts).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('idle timers are few and do not outlive failAll()', () => {
    const calls = new PendingCalls('test');
    // Calls 20 ms apart, each in a bucket of its own: idle timers are capped.
    for (let i = 0; i < 200; i++) {
      const { id, promise } = calls.create(Op.get, 60_000, undefined);
      void promise;
      calls.resolve(id, null);
      vi.advanceTimersByTime(20);
    }
    expect(vi.getTimerCount()).toBeLessThanOrEqual(64);
    calls.failAll('CLOSED', 'closing');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('busy and idle hooks fire on 0 → 1 and 1 → 0, however calls settle', async () => {
    const busy = vi.fn();
    const idle = vi.fn();
    const calls = new PendingCalls('test', { busy, idle });
    const a = calls.create(Op.get, 100, undefined);
    const b = calls.create(Op.get, 100, undefined);
    expect(busy).toHaveBeenCalledTimes(1);
    calls.resolve(a.id, 1);
    expect(idle).not.toHaveBeenCalled();
    calls.resolve(b.id, 2);
    expect(idle).toHaveBeenCalledTimes(1);

    const controller = new AbortController();
    const c = calls.create(Op.get, 100, controller.signal);
    expect(busy).toHaveBeenCalledTimes(2);
    controller.abort();
    await rejectsWith(c.promise, 'ABORTED');
    expect(idle).toHaveBeenCalledTimes(2);

    const d = calls.create(Op.get, 100, undefined);
    const timedOut = rejectsWith(d.promise, 'TIMEOUT');
    expect(busy).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(200);
    await timedOut;
    expect(idle).toHaveBeenCalledTimes(3);
  });
});

describe('PendingCalls with real timers', () => {
  beforeEach(() => {
    vi.useRealTimers();
  });

  it('an idle bucket timer does not keep the process alive; a pending call does', () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const calls = new PendingCalls('test');
    const { id, promise } = calls.create(Op.get, 60_000, undefined);
    void promise;
    expect(timers()).toBe(before + 1);
    calls.resolve(id, null);
    expect(timers()).toBe(before);
    calls.failAll('CLOSED', 'closing');
  });

  it('the longest timeout (2^31 - 1 ms) arms no overflowing timer: no warning, the call waits', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === 'TimeoutOverflowWarning') warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const calls = new PendingCalls('test');
      const { id, promise } = calls.create(Op.get, 2 ** 31 - 1, undefined);
      // An overflowing timer fires after 1 ms, and its re-arm overflows again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls.has(id)).toBe(true);
      expect(calls.timeouts).toBe(0);
      calls.resolve(id, 'late but fine');
      await expect(promise).resolves.toBe('late but fine');
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
