import type { Address, Worker } from 'node:cluster';
import type { EventEmitter } from 'node:events';
import type { BackoffOptions } from './backoff.js';

/**
 * When a new worker counts as ready: at its first `'listening'` event (an HTTP or
 * TCP server), or when it sends `{ statewire: 'ready' }` with `process.send()`
 * (a worker that serves no socket: a queue consumer, a scheduler).
 */
export type ReadyOn = 'listening' | 'message';

/** Receives one line of text per supervisor event, without a trailing newline. */
export type Logger = (line: string) => void;

/** Options of {@link supervise}. Only `exec` is required. */
export interface SuperviseOptions {
  /** Path of the worker script, as given to `cluster.setupPrimary({ exec })`. */
  exec: string;
  /**
   * Arguments passed to the worker script.
   * @default []
   */
  args?: string[] | undefined;
  /**
   * Node options passed to the workers (`--max-old-space-size=...`, `--import ...`).
   * @default process.execArgv
   */
  execArgv?: string[] | undefined;
  /**
   * Serialization of the IPC channel between primary and workers. Left unset,
   * whatever `cluster.setupPrimary()` was given elsewhere applies (Node's default: `'json'`).
   * @default undefined
   */
  serialization?: 'json' | 'advanced' | undefined;
  /**
   * How many workers to keep running.
   * @default os.availableParallelism()
   */
  workers?: number | undefined;
  /**
   * Extra environment variables for the workers, on top of the primary's
   * `process.env`. A key set to `undefined` removes that variable.
   * @default {}
   */
  env?: Record<string, string | undefined>;
  /**
   * Exponential backoff with jitter between a worker's unexpected exit and its
   * respawn; see {@link BackoffOptions} for each field's default.
   * @default { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 }
   */
  backoff?: BackoffOptions | undefined;
  /**
   * A worker that ran at least this long before it died is respawned after
   * `backoff.initialMs` again, instead of a longer delay.
   * @default 10_000
   */
  healthyAfterMs?: number | undefined;
  /**
   * The crash-loop cap: after this many respawns of one seat within
   * `restartWindowMs`, the next unexpected exit gives the seat up (`'give-up'`
   * event, one log line) and it is not respawned until `reload()`.
   * `Infinity` never gives up; `0` never respawns.
   * @default 10
   */
  maxRestarts?: number | undefined;
  /**
   * The sliding window of `maxRestarts`, in milliseconds.
   * @default 60_000
   */
  restartWindowMs?: number | undefined;
  /**
   * How long `reload()` waits for a replacement worker to be ready before it kills
   * the replacement, keeps the old worker and rejects with `READY_TIMEOUT`.
   * @default 30_000
   */
  readyTimeoutMs?: number | undefined;
  /**
   * How long a disconnected worker may take to finish its in-flight requests and
   * exit (during `reload()` and `shutdown()`) before it is killed with `SIGKILL`.
   * @default 10_000
   */
  shutdownTimeoutMs?: number | undefined;
  /**
   * When a new worker counts as ready; see {@link ReadyOn}.
   * @default 'listening'
   */
  readyOn?: ReadyOn | undefined;
  /**
   * Where the one-line-per-event log goes: `false` for nowhere, or a function that
   * receives each line. The default writes each line to stderr.
   * @default (line) => process.stderr.write(line + '\n')
   */
  logger?: false | Logger | undefined;
  /**
   * Install signal handlers in the primary: `SIGHUP` runs `reload()`, `SIGTERM` and
   * `SIGINT` run `shutdown()` and then `process.exit(0)`. `false` leaves signals to
   * the application. Handlers are removed (only these) when `shutdown()` finishes.
   * @default true
   */
  signals?: boolean | undefined;
}

/** The events of a {@link Supervisor}, with their arguments. */
export interface SupervisorEvents {
  /** A worker was forked: initial, respawn, or replacement during a reload. */
  fork: [worker: Worker];
  /** A worker's server is listening (every `'listening'` event of every worker). */
  listening: [worker: Worker, address: Address];
  /** A worker exited, whatever the reason. `code` is `null` when a signal ended it. */
  exit: [worker: Worker, code: number | null, signal: NodeJS.Signals | null];
  /** The worker of `seat` died unexpectedly and a new one will be forked in `delayMs`. */
  respawn: [seat: number, delayMs: number];
  /** `seat` hit the crash-loop cap and is not respawned any more; `reason` says why. */
  'give-up': [seat: number, reason: string];
  /**
   * A worker of `seat` ended with a failure that a restart cannot fix (it called
   * `exitFatal(reason)` or exited with `FATAL_EXIT_CODE`): it is not respawned. Its
   * siblings keep running; an application that cannot serve without it calls
   * `shutdown()` here.
   */
  fatal: [seat: number, reason: string, worker: Worker];
  /**
   * A rolling reload started; `done` settles when it finishes (the promise
   * `reload()` returns). A failure is logged too, so ignoring `done` is safe.
   */
  reload: [done: Promise<void>];
  /** `shutdown()` started: nothing is respawned from now on. */
  shutdown: [];
}

/** The handle {@link supervise} returns; an `EventEmitter` of {@link SupervisorEvents}. */
export interface Supervisor extends EventEmitter<SupervisorEvents> {
  /**
   * Resolves when every seat has had a ready worker (listening, or its ready
   * message). Rejects with `GAVE_UP` if a seat gives up first, `WORKER_FATAL` if a
   * worker fails fatally first, or `SHUT_DOWN` if `shutdown()` comes first. Never causes an unhandled rejection.
   */
  readonly ready: Promise<void>;
  /**
   * Rolling restart, one worker at a time: fork a replacement, wait until it is
   * ready, then disconnect the old worker (it finishes in-flight requests) and wait
   * for its exit, killing it after `shutdownTimeoutMs`. No request is refused.
   *
   * A call during a reload runs one more reload after it (calls are coalesced).
   * A seat that gave up gets a fresh start. If a replacement fails (exits first or
   * is not ready within `readyTimeoutMs`), the reload stops there and the
   * remaining old workers keep serving.
   *
   * @throws ClusterError (rejects) `WORKER_EXITED`, `WORKER_FATAL`, `READY_TIMEOUT` or `SHUT_DOWN`.
   */
  reload(): Promise<void>;
  /**
   * Stop respawning, disconnect every worker (servers stop accepting, in-flight
   * requests finish), kill those still alive after `shutdownTimeoutMs`, resolve
   * when all have exited. Idempotent: every call returns the same promise. Never
   * exits the process (the `signals` handlers do that after it resolves).
   */
  shutdown(): Promise<void>;
  /** The workers of this supervisor that are alive now, replacements and retiring ones included. */
  workers(): Worker[];
}
