import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect } from 'vitest';
import { jsonCodec, StateError, type StateErrorCode, type Store } from '../src/index.js';
import type { LoopbackLink } from '../src/testing.js';
import {
  BaseStore,
  ClientEngine,
  type ClientEngineOptions,
  DEFAULT_MAX_KEY_BYTES,
  DEFAULT_MAX_VALUE_BYTES,
  defineCapabilities,
  type Link,
  type LinkHandlers,
  MemoryBackend,
  type MemoryBackendOptions,
} from '../src/transport.js';

/** The rejection reason of `promise`; fails the test when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

function show(error: unknown): string {
  if (StateError.is(error)) return `StateError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Asserts that `promise` rejects with a `StateError` of `code` and returns it. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: StateErrorCode,
): Promise<StateError> {
  const error = await caught(promise);
  expect(StateError.is(error, code), `expected StateError ${code}, got ${show(error)}`).toBe(true);
  expect((error as StateError).message).not.toBe('');
  return error as StateError;
}

/** Asserts that `fn` throws a `StateError` of `code` synchronously and returns it. */
export function throwsWith(fn: () => unknown, code: StateErrorCode): StateError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a StateError to be thrown').toBeDefined();
  expect(StateError.is(thrown, code), `expected StateError ${code}, got ${show(thrown)}`).toBe(
    true,
  );
  return thrown as StateError;
}

/** Lets every message already sent over loopback links be delivered and answered. */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits (a few ms at a time) until `condition` holds; fails after `limitMs`. */
export async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Options of a client engine on a JSON host with default limits. */
export function clientOptions(link: Link, extra: Partial<ClientEngineOptions> = {}) {
  return {
    link,
    codec: jsonCodec.name,
    maxKeyBytes: DEFAULT_MAX_KEY_BYTES,
    maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
    label: 'test',
    ...extra,
  } satisfies ClientEngineOptions;
}

/** A store over a client engine on `link`, built the way a transport builds one. */
export function storeOver<S extends object = Record<string, unknown>>(
  link: Link,
  extra: Partial<ClientEngineOptions> = {},
  timeout = 10_000,
): Store<S> & { engine: ClientEngine } {
  const engine = new ClientEngine(clientOptions(link, extra));
  const store = new BaseStore<S>({
    executor: engine,
    codec: jsonCodec,
    capabilities: defineCapabilities({ ttl: true, atomic: true, shared: true }),
    timeout,
    label: 'test',
  });
  return Object.assign(store, { engine });
}

/**
 * Wraps a link so that a test can make it congested: `send()` still delivers (as Node's
 * `process.send` queues) but returns `false` until `congest(false)`, which emits `drain`.
 */
export function congestible(inner: LoopbackLink): {
  link: Link;
  congest: (congested: boolean) => void;
  sent: () => number;
} {
  let congested = false;
  let handlers: LinkHandlers | undefined;
  let sent = 0;
  const link: Link = {
    label: inner.label,
    open(h) {
      handlers = h;
      inner.open(h);
    },
    send(frame) {
      sent++;
      inner.send(frame);
      return !congested;
    },
    close() {
      inner.close();
    },
  };
  return {
    link,
    congest(value) {
      congested = value;
      if (!value) handlers?.drain();
    },
    sent: () => sent,
  };
}

/**
 * A factory of MemoryBackends (JSON codec, no sweep unless the test runs one) that are all
 * closed after each test of the calling file.
 */
export function backendFactory(): (options?: Partial<MemoryBackendOptions>) => MemoryBackend {
  const backends: MemoryBackend[] = [];
  afterEach(() => {
    for (const created of backends.splice(0)) created.close();
  });
  return (options = {}) => {
    const created = new MemoryBackend({ codec: jsonCodec, sweepIntervalMs: 3_600_000, ...options });
    backends.push(created);
    return created;
  };
}

/** A clock for `now` options, moved by hand. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/**
 * Runs `fixtures/<name>.mjs`, one of the promotion fixtures (see `fixtures/promotion.mjs`),
 * in a child process that can force young-generation collections and whose young
 * generation is sized so that no other collection runs, and returns the JSON it prints.
 * The package must be built (the fixtures import `dist/`).
 */
export async function runPromotionFixture<T>(name: string): Promise<T> {
  const script = fileURLToPath(new URL(`./fixtures/${name}.mjs`, import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', script],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout) as T;
}
