import type { Address, ClusterSettings, Worker } from 'node:cluster';
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { backoffDelay } from './backoff.js';
import { describeAddress, describeExit, describeWorker, LOG_PREFIX } from './describe.js';
import { ClusterError } from './errors.js';
import { FATAL_EXIT_CODE, isFatalMessage } from './fatal.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import type { SuperviseOptions, Supervisor, SupervisorEvents } from './types.js';

/**
 * Starts supervising a pool of cluster workers running `opts.exec`. Call it in the
 * cluster primary; the workers are forked on the next tick, so listeners attached
 * right after the call see every event.
 *
 * It only listens to its own workers (never `cluster.on(...)`), never removes other
 * listeners and never disconnects workers it did not fork, so a statewire `serve()`
 * host or any other cluster code can run beside it in the same primary.
 *
 * @example
 * ```ts
 * const supervisor = supervise({ exec: './worker.js', workers: 4 });
 * await supervisor.ready;
 * ```
 * @throws ClusterError `NOT_PRIMARY` outside the cluster primary.
 * @throws TypeError when an option is malformed.
 */
export function supervise(opts: SuperviseOptions): Supervisor {
  if (!cluster.isPrimary) {
    throw new ClusterError('NOT_PRIMARY', 'supervise() must be called in the cluster primary');
  }
  return new ClusterSupervisor(resolveOptions(opts));
}

/** One of the `workers` places the supervisor keeps filled. */
interface Seat {
  readonly index: number;
  /** The worker serving this seat. */
  current: Worker | undefined;
  /** A reload's replacement, until it is ready. */
  candidate: Worker | undefined;
  /** The pending respawn. */
  timer: NodeJS.Timeout | undefined;
  /** Consecutive crashes, the exponent of the backoff. */
  attempt: number;
  /** When the respawns of the last `restartWindowMs` happened. */
  restarts: number[];
  gaveUp: boolean;
  everReady: boolean;
}

/** What the supervisor knows about one of its live workers. */
interface Tracked {
  readonly worker: Worker;
  readonly seat: Seat;
  /** The reload generation it was forked in; a reload replaces older ones only. */
  readonly generation: number;
  readonly startedAt: number;
  /** Its exit was asked for (reload, shutdown): not a crash, not respawned. */
  deliberate: boolean;
  /** Why it failed in a way a restart cannot fix (`exitFatal()`), once it said so. */
  fatal: string | undefined;
  ready: boolean;
  readonly whenReady: Promise<void>;
  readonly exited: Promise<void>;
  retiring: Promise<void> | undefined;
  settleReady(error?: Error): void;
  settleExited(): void;
}

interface Deferred {
  readonly promise: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

class ClusterSupervisor extends EventEmitter<SupervisorEvents> implements Supervisor {
  readonly ready: Promise<void>;
  readonly #opts: ResolvedOptions;
  readonly #seats: Seat[];
  readonly #tracked = new Map<Worker, Tracked>();
  readonly #ready: Deferred;
  #generation = 0;
  #stopping = false;
  /** Keeps the primary running while a seat gave up (see #holdWhileEmpty). */
  #hold: NodeJS.Timeout | undefined;
  #shutdown: Promise<void> | undefined;
  #reloadRunning: Promise<void> | undefined;
  #reloadQueued: Promise<void> | undefined;

  constructor(opts: ResolvedOptions) {
    super();
    this.#opts = opts;
    this.#ready = deferred();
    this.ready = this.#ready.promise;
    this.#seats = Array.from({ length: opts.workers }, (_, index) => ({
      index,
      current: undefined,
      candidate: undefined,
      timer: undefined,
      attempt: 0,
      restarts: [],
      gaveUp: false,
      everReady: false,
    }));
    if (opts.signals) {
      process.on('SIGHUP', this.#onHangup);
      process.on('SIGTERM', this.#onStop);
      process.on('SIGINT', this.#onStop);
    }
    process.nextTick(() => {
      if (this.#stopping) return;
      this.#log(`starting ${countWorkers(opts.workers)} of ${opts.exec}`);
      for (const seat of this.#seats) {
        // A reload() called right after supervise() may have filled the seat already.
        if (seat.current === undefined && seat.candidate === undefined) this.#fork(seat, 'current');
      }
    });
  }

  workers(): Worker[] {
    return [...this.#tracked.keys()].filter((worker) => !worker.isDead());
  }

  reload(): Promise<void> {
    if (this.#stopping) return this.#refuseReload();
    if (this.#reloadRunning === undefined) return this.#startReload();
    // Several SIGHUPs during one reload (a deploy script retrying) make one more reload,
    // which starts after the running one and picks up the newest code.
    this.#reloadQueued ??= handled(
      this.#reloadRunning
        .catch(() => {})
        .then(() => {
          this.#reloadQueued = undefined;
          return this.#startReload();
        }),
    );
    return this.#reloadQueued;
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= handled(this.#runShutdown());
    return this.#shutdown;
  }

  #log(line: string): void {
    this.#opts.log(`${LOG_PREFIX} ${line}`);
  }

  #fork(seat: Seat, role: 'current' | 'candidate'): Tracked {
    const { exec, args, execArgv, serialization } = this.#opts;
    // Settings are applied before every fork rather than once, so that two supervisors
    // (or other code calling setupPrimary) in one primary each fork their own script.
    const settings: ClusterSettings = { exec, args: [...args], execArgv: [...execArgv] };
    if (serialization !== undefined) settings.serialization = serialization;
    cluster.setupPrimary(settings);
    const worker = cluster.fork(this.#opts.env);

    const ready = deferred();
    const exited = deferred();
    const tracked: Tracked = {
      worker,
      seat,
      generation: this.#generation,
      startedAt: Date.now(),
      deliberate: false,
      fatal: undefined,
      ready: false,
      whenReady: ready.promise,
      exited: exited.promise,
      retiring: undefined,
      settleReady: (error) => (error ? ready.reject(error) : ready.resolve()),
      settleExited: () => exited.resolve(),
    };
    this.#tracked.set(worker, tracked);
    if (role === 'current') seat.current = worker;
    else seat.candidate = worker;

    worker.on('listening', (address: Address) => this.#onListening(tracked, address));
    worker.on('message', (message: unknown) => {
      if (isFatalMessage(message)) tracked.fatal = message.reason;
      else if (this.#opts.readyOn === 'message' && isReadyMessage(message))
        this.#onReady(tracked, 'ready');
    });
    // Without a listener, an 'error' of the worker's ChildProcess (a failed send or kill)
    // would be thrown in the primary, and the primary holds the shared state.
    worker.on('error', (error: Error) => {
      this.#log(`${describeWorker(worker)} error: ${error.message}`);
    });
    worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) =>
      this.#onExit(tracked, code, signal),
    );

    const what = role === 'candidate' ? 'replacement' : 'worker';
    this.#log(`${describeWorker(worker)} started (${what} for seat ${seat.index})`);
    this.emit('fork', worker);
    return tracked;
  }

  #onListening(tracked: Tracked, address: Address): void {
    if (this.#opts.readyOn === 'listening') {
      this.#onReady(tracked, `listening on ${describeAddress(address)}`);
    }
    this.emit('listening', tracked.worker, address);
  }

  #onReady(tracked: Tracked, how: string): void {
    if (tracked.ready || tracked.worker.isDead()) return;
    tracked.ready = true;
    tracked.settleReady();
    this.#log(`${describeWorker(tracked.worker)} ${how}`);
    const { seat } = tracked;
    if (seat.everReady) return;
    seat.everReady = true;
    if (!this.#ready.settled && this.#seats.every((s) => s.everReady)) {
      this.#ready.resolve();
      this.#log(`all ${countWorkers(this.#seats.length)} ready`);
    }
  }

  #onExit(tracked: Tracked, code: number | null, signal: NodeJS.Signals | null): void {
    const { worker, seat } = tracked;
    this.#tracked.delete(worker);
    const how = describeExit(code, signal);
    // The exit code alone counts too: a worker whose channel was already closed, or one
    // not written in JavaScript, can still say that respawning it is pointless.
    if (tracked.fatal === undefined && code === FATAL_EXIT_CODE)
      tracked.fatal = `exited with code ${FATAL_EXIT_CODE} (a failure that a restart cannot fix)`;
    const fatal = tracked.deliberate || this.#stopping ? undefined : tracked.fatal;
    tracked.settleReady(
      fatal === undefined
        ? new ClusterError(
            'WORKER_EXITED',
            `${describeWorker(worker)} exited ${how} before it was ready`,
          )
        : new ClusterError('WORKER_FATAL', `${describeWorker(worker)} failed: ${fatal}`),
    );
    const wasCurrent = seat.current === worker;
    if (wasCurrent) seat.current = undefined;
    if (seat.candidate === worker) seat.candidate = undefined;

    let after: (() => void) | undefined;
    if (tracked.deliberate || this.#stopping) {
      this.#log(`${describeWorker(worker)} exited ${how} after it was asked to stop`);
    } else if (fatal !== undefined) {
      after = this.#giveUpFatal(seat, tracked, fatal, wasCurrent);
    } else if (!wasCurrent) {
      // A reload's replacement: the reload reports it and refills the seat if needed.
      this.#log(`${describeWorker(worker)} exited ${how} before it was ready`);
    } else if (seat.candidate !== undefined) {
      this.#log(`${describeWorker(worker)} exited ${how}; its replacement is starting`);
    } else {
      after = this.#respawnLater(seat, tracked, `${describeWorker(worker)} exited ${how}`);
    }
    tracked.settleExited();
    this.emit('exit', worker, code, signal);
    after?.();
  }

  /**
   * A worker that cannot work however often it is restarted (a port in use): no
   * respawn, one log line, `ready` rejected; returns the event to emit once logged.
   */
  #giveUpFatal(seat: Seat, tracked: Tracked, reason: string, wasCurrent: boolean): () => void {
    this.#log(
      `${describeWorker(tracked.worker)} failed and is not respawned, a restart cannot fix it: ${reason}`,
    );
    // A reload's replacement leaves the seat to its old worker; the reload reports it.
    if (wasCurrent && seat.candidate === undefined) {
      seat.gaveUp = true;
      this.#holdWhileEmpty();
    }
    if (!seat.everReady && !this.#ready.settled) {
      this.#ready.reject(
        new ClusterError('WORKER_FATAL', `${describeWorker(tracked.worker)} failed: ${reason}`),
      );
    }
    return () => this.emit('fatal', seat.index, reason, tracked.worker);
  }

  /** Crash accounting for a seat left empty; returns the event to emit once logged. */
  #respawnLater(seat: Seat, tracked: Tracked, what: string): () => void {
    const now = Date.now();
    const { maxRestarts, restartWindowMs, healthyAfterMs } = this.#opts;
    if (now - tracked.startedAt >= healthyAfterMs) seat.attempt = 0;
    seat.restarts = seat.restarts.filter((at) => now - at < restartWindowMs);

    if (seat.restarts.length >= maxRestarts) {
      seat.gaveUp = true;
      this.#holdWhileEmpty();
      const reason = `restarted ${seat.restarts.length} times within ${restartWindowMs} ms and exited again`;
      this.#log(
        `${what}; seat ${seat.index} ${reason}: giving up on it (fix the worker, then reload() or SIGHUP)`,
      );
      if (!seat.everReady && !this.#ready.settled) {
        this.#ready.reject(
          new ClusterError(
            'GAVE_UP',
            `seat ${seat.index} gave up before its worker was ready: ${what}`,
          ),
        );
      }
      return () => this.emit('give-up', seat.index, reason);
    }

    const delayMs = backoffDelay(seat.attempt, this.#opts.backoff);
    seat.attempt += 1;
    seat.restarts.push(now);
    this.#log(`${what}; respawning in ${delayMs} ms`);
    seat.timer = setTimeout(() => {
      seat.timer = undefined;
      if (!this.#stopping && seat.current === undefined && seat.candidate === undefined) {
        this.#fork(seat, 'current');
      }
    }, delayMs);
    return () => this.emit('respawn', seat.index, delayMs);
  }

  // A reload asked for while shutting down: logged, like every failure of reload().
  #refuseReload(): Promise<void> {
    this.#log('reload refused: the supervisor is shutting down');
    return handled(Promise.reject(shutDown('reload()')));
  }

  #startReload(): Promise<void> {
    if (this.#stopping) return this.#refuseReload();
    // Started a microtask later, so that 'reload' is emitted before the first 'fork'.
    const done = handled(Promise.resolve().then(() => this.#runReload()));
    this.#reloadRunning = done;
    const clear = () => {
      if (this.#reloadRunning === done) this.#reloadRunning = undefined;
    };
    done.then(clear, clear);
    this.emit('reload', done);
    return done;
  }

  async #runReload(): Promise<void> {
    const generation = ++this.#generation;
    this.#log(`reloading ${countWorkers(this.#seats.length)}, one at a time`);
    try {
      let replaced = 0;
      for (const seat of this.#seats) {
        if (this.#stopping) throw shutDown('reload()');
        const current = seat.current && this.#tracked.get(seat.current);
        // A worker respawned while this reload runs already runs the new code.
        if (current && current.generation >= generation) continue;
        await this.#replace(seat);
        replaced += 1;
      }
      this.#log(`reload complete: ${countWorkers(replaced)} replaced`);
    } catch (error) {
      this.#log(`reload failed, the remaining workers keep running: ${(error as Error).message}`);
      throw error;
    }
  }

  async #replace(seat: Seat): Promise<void> {
    clearTimeout(seat.timer);
    seat.timer = undefined;
    if (seat.gaveUp) {
      seat.gaveUp = false;
      seat.attempt = 0;
      seat.restarts = [];
    }
    const candidate = this.#fork(seat, 'candidate');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new ClusterError(
            'READY_TIMEOUT',
            `${describeWorker(candidate.worker)} was not ready within ${this.#opts.readyTimeoutMs} ms`,
          ),
        );
      }, this.#opts.readyTimeoutMs);
    });
    try {
      await Promise.race([candidate.whenReady, timeout]);
    } catch (error) {
      if (!candidate.worker.isDead()) {
        candidate.deliberate = true;
        candidate.worker.process.kill('SIGKILL');
      }
      await candidate.exited;
      if (this.#stopping) throw shutDown('reload()', error);
      // The old worker may have died while its replacement was starting: the seat is
      // respawned, or, when the new code cannot run at all, left empty until the next reload.
      if (seat.current === undefined && seat.timer === undefined && !seat.gaveUp) {
        if (candidate.fatal === undefined) {
          this.#respawnLater(seat, candidate, `seat ${seat.index} has no worker`)();
        } else {
          seat.gaveUp = true;
          this.#holdWhileEmpty();
          this.#log(
            `seat ${seat.index} has no worker and its replacement cannot run: left empty (fix the worker, then reload() or SIGHUP)`,
          );
        }
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (this.#stopping) throw shutDown('reload()');

    const previous = seat.current;
    seat.candidate = undefined;
    seat.current = candidate.worker;
    this.#holdWhileEmpty();
    const old = previous && this.#tracked.get(previous);
    if (old) {
      this.#log(`${describeWorker(old.worker)} replaced; disconnecting it`);
      await this.#retire(old);
    }
  }

  /** Disconnect (in-flight requests finish), then kill after `shutdownTimeoutMs`. */
  #retire(tracked: Tracked): Promise<void> {
    tracked.deliberate = true;
    tracked.retiring ??= (async () => {
      const { worker } = tracked;
      // Sending to a closed channel throws ERR_IPC_CHANNEL_CLOSED
      // (socket.io-cluster-adapter#5): a worker that dropped its channel gets SIGTERM.
      if (worker.isConnected()) worker.disconnect();
      else if (!worker.isDead()) worker.process.kill('SIGTERM');
      const { shutdownTimeoutMs } = this.#opts;
      const killer = setTimeout(() => {
        this.#log(
          `${describeWorker(worker)} still running ${shutdownTimeoutMs} ms after disconnect; killing it`,
        );
        worker.process.kill('SIGKILL');
      }, shutdownTimeoutMs);
      try {
        await tracked.exited;
      } finally {
        clearTimeout(killer);
      }
    })();
    return tracked.retiring;
  }

  /**
   * While a seat is left empty for good (it gave up, or its worker cannot run), nothing
   * else may keep the primary's event loop alive (servers and timers of the holder are
   * often unreferenced): the primary would exit 0 with every worker gone, taking the state
   * it holds with it, where the log says to fix the worker and reload. A referenced timer
   * keeps it running until a reload fills every seat again, or a shutdown.
   */
  #holdWhileEmpty(): void {
    const empty = !this.#stopping && this.#seats.some((seat) => seat.gaveUp);
    if (empty && this.#hold === undefined) {
      this.#hold = setInterval(() => {}, 2 ** 31 - 1);
    } else if (!empty && this.#hold !== undefined) {
      clearInterval(this.#hold);
      this.#hold = undefined;
    }
  }

  async #runShutdown(): Promise<void> {
    this.#stopping = true;
    this.#holdWhileEmpty();
    for (const seat of this.#seats) {
      clearTimeout(seat.timer);
      seat.timer = undefined;
    }
    if (!this.#ready.settled) this.#ready.reject(shutDown('ready'));
    const all = [...this.#tracked.values()];
    this.#log(
      `shutting down ${countWorkers(all.length)} (killed if still running after ${this.#opts.shutdownTimeoutMs} ms)`,
    );
    this.emit('shutdown');
    await Promise.all(all.map((tracked) => this.#retire(tracked)));
    this.#log('shutdown complete: all workers exited');
    if (this.#opts.signals) {
      process.off('SIGHUP', this.#onHangup);
      process.off('SIGTERM', this.#onStop);
      process.off('SIGINT', this.#onStop);
    }
  }

  readonly #onHangup = (): void => {
    this.#log('received SIGHUP; reloading');
    // reload() logs its own failure and its promise is already handled.
    void this.reload();
  };

  readonly #onStop = (signal: NodeJS.Signals): void => {
    this.#log(`received ${signal}; shutting down`);
    this.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
}

function countWorkers(count: number): string {
  return count === 1 ? '1 worker' : `${count} workers`;
}

function isReadyMessage(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { statewire?: unknown }).statewire === 'ready'
  );
}

function shutDown(what: string, cause?: unknown): ClusterError {
  return new ClusterError('SHUT_DOWN', `${what}: the supervisor is shutting down`, { cause });
}

/**
 * Marks `promise` as handled and returns it: the supervisor logs its own failures, and
 * an ignored rejection must not crash the primary (which may hold the shared state).
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = handled(
    new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
  );
  const result: Deferred = {
    promise,
    settled: false,
    resolve: () => {
      result.settled = true;
      resolve();
    },
    reject: (error) => {
      result.settled = true;
      reject(error);
    },
  };
  return result;
}
