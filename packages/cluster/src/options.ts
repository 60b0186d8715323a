import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type ResolvedBackoff, resolveBackoff } from './backoff.js';
import type { Logger, ReadyOn, SuperviseOptions } from './types.js';

/** {@link SuperviseOptions} with every default filled in and validated. */
export interface ResolvedOptions {
  readonly exec: string;
  readonly args: readonly string[];
  readonly execArgv: readonly string[];
  readonly serialization: 'json' | 'advanced' | undefined;
  readonly workers: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly backoff: ResolvedBackoff;
  readonly healthyAfterMs: number;
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  readonly readyTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly readyOn: ReadyOn;
  readonly log: Logger;
  readonly signals: boolean;
}

// setTimeout() silently turns larger delays into 1 ms (TimeoutOverflowWarning).
const MAX_TIMER_MS = 2_147_483_647;

const writeToStderr: Logger = (line) => {
  process.stderr.write(`${line}\n`);
};

const discard: Logger = () => {};

/**
 * Fills the defaults of `options` in and validates them.
 *
 * @throws TypeError when an option is missing or out of range.
 */
export function resolveOptions(options: SuperviseOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('supervise() needs an options object with `exec`');
  }
  // No option takes null; read as "not given" it would quietly pick the default.
  for (const [name, value] of Object.entries(options)) {
    if (value === null) {
      throw new TypeError(
        `${name} must not be null: leave it out (or set it to undefined) for its default`,
      );
    }
  }
  const { exec, args = [], execArgv = process.execArgv, serialization, env = {} } = options;
  if (typeof exec !== 'string' || exec === '') {
    throw new TypeError('exec must be the path of the worker script');
  }
  checkScript(exec);
  if (!isStringArray(args)) throw new TypeError('args must be an array of strings');
  if (!isStringArray(execArgv)) throw new TypeError('execArgv must be an array of strings');
  if (serialization !== undefined && serialization !== 'json' && serialization !== 'advanced') {
    throw new TypeError(`serialization must be 'json' or 'advanced', got ${String(serialization)}`);
  }
  if (
    typeof env !== 'object' ||
    env === null ||
    Array.isArray(env) ||
    !Object.values(env).every((value) => value === undefined || typeof value === 'string')
  ) {
    throw new TypeError('env must be an object of strings (undefined removes a variable)');
  }
  const signals = options.signals === undefined ? true : options.signals;
  if (typeof signals !== 'boolean')
    throw new TypeError(`signals must be a boolean, got ${signals}`);

  const workers = options.workers ?? availableParallelism();
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new TypeError(`workers must be a positive integer, got ${workers}`);
  }
  const maxRestarts = options.maxRestarts ?? 10;
  if (
    !(maxRestarts === Number.POSITIVE_INFINITY || Number.isSafeInteger(maxRestarts)) ||
    maxRestarts < 0
  ) {
    throw new TypeError(
      `maxRestarts must be a non-negative integer or Infinity, got ${maxRestarts}`,
    );
  }
  const readyOn = options.readyOn ?? 'listening';
  if (readyOn !== 'listening' && readyOn !== 'message') {
    throw new TypeError(`readyOn must be 'listening' or 'message', got ${String(readyOn)}`);
  }
  const { logger } = options;
  if (logger !== undefined && logger !== false && typeof logger !== 'function') {
    throw new TypeError('logger must be false or a function');
  }

  return Object.freeze({
    exec,
    args: Object.freeze([...args]),
    execArgv: Object.freeze([...execArgv]),
    serialization,
    workers,
    env: Object.freeze({ ...env }),
    backoff: resolveBackoff(options.backoff),
    healthyAfterMs: duration('healthyAfterMs', options.healthyAfterMs, 10_000, Infinity),
    maxRestarts,
    restartWindowMs: duration('restartWindowMs', options.restartWindowMs, 60_000, Infinity),
    readyTimeoutMs: duration('readyTimeoutMs', options.readyTimeoutMs, 30_000, MAX_TIMER_MS),
    shutdownTimeoutMs: duration(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs,
      10_000,
      MAX_TIMER_MS,
    ),
    readyOn,
    log: logger === false ? discard : (logger ?? writeToStderr),
    signals,
  });
}

function duration(name: string, value: number | undefined, fallback: number, max: number): number {
  const ms = value ?? fallback;
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0 || ms > max) {
    throw new TypeError(`${name} must be a number of milliseconds between 0 and ${max}, got ${ms}`);
  }
  return ms;
}

// A worker script that is not there fails in every worker the same way: a restart cannot
// fix it, so it is refused up front instead of crash-looping. Resolved as Node resolves the
// main script it is given (relative to the working directory, `.js` and friends tried).
function checkScript(exec: string): void {
  const path = resolve(exec);
  try {
    createRequire(resolve('noop.js')).resolve(path);
  } catch {
    throw new TypeError(
      `exec: there is no worker script at ${path} (from ${JSON.stringify(exec)}, relative to ${process.cwd()})`,
    );
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
