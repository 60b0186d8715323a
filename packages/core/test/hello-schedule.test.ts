import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HelloSchedule } from '../src/hello-schedule.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

function schedule(timeout: number, onSend: (schedule: HelloSchedule) => void = () => {}) {
  const sentAt: number[] = [];
  let gaveUp = 0;
  const hello = new HelloSchedule({
    timeout,
    send: () => {
      sentAt.push(performance.now());
      onSend(hello);
    },
    giveUp: () => {
      gaveUp++;
    },
  });
  return { hello, sentAt, gaveUp: () => gaveUp };
}

describe('HelloSchedule', () => {
  it('sends at once, then backs off: 25, 50, 100, 200, 400, then every 800 ms', () => {
    const { hello, sentAt } = schedule(60_000);
    hello.start();
    expect(sentAt).toHaveLength(1);
    vi.advanceTimersByTime(25 + 50 + 100 + 200 + 400 + 800 + 800);
    const gaps = sentAt.slice(1).map((at, i) => at - (sentAt[i] as number));
    expect(gaps).toEqual([25, 50, 100, 200, 400, 800, 800]);
    hello.stop();
  });

  it('stop() ends the hellos and leaves no timer armed', () => {
    const { hello, sentAt, gaveUp } = schedule(1000);
    hello.start();
    vi.advanceTimersByTime(30);
    expect(hello.armed).toBe(true);
    hello.stop();
    const sent = sentAt.length;
    expect(hello.armed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(sentAt).toHaveLength(sent);
    expect(gaveUp()).toBe(0);
  });

  it('gives up once when the host stays silent for the timeout, and sends nothing after', () => {
    const { hello, sentAt, gaveUp } = schedule(1000);
    hello.start();
    vi.advanceTimersByTime(999);
    expect(gaveUp()).toBe(0);
    vi.advanceTimersByTime(10);
    expect(gaveUp()).toBe(1);
    expect(hello.armed).toBe(false);
    const sent = sentAt.length;
    expect(sentAt.every((at) => at < 1000)).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(sentAt).toHaveLength(sent);
    expect(gaveUp()).toBe(1);
  });

  it('a welcome delivered while the hello is sent (stop() inside send) arms no timer', () => {
    const { hello, sentAt } = schedule(1000, (h) => h.stop());
    hello.start();
    expect(sentAt).toHaveLength(1);
    expect(hello.armed).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(sentAt).toHaveLength(1);
  });

  it('start() after giving up begins a new schedule with a whole timeout', () => {
    const { hello, sentAt, gaveUp } = schedule(100);
    hello.start();
    vi.advanceTimersByTime(1000);
    expect(gaveUp()).toBe(1);
    const sent = sentAt.length;
    hello.start();
    expect(sentAt).toHaveLength(sent + 1);
    vi.advanceTimersByTime(50);
    expect(gaveUp()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(gaveUp()).toBe(2);
  });
});
