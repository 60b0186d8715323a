import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type BenchMessage,
  benchMessage,
  type CellOutcome,
  type CellSpec,
  isBenchMessage,
  type MemoryOutcome,
  type MemorySpec,
  TAG,
} from './messages.js';
import type { SubjectEnv } from './subjects/subject.js';

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3000;
/** A subject that had to be killed this often is given up on for the rest of the run. */
const MAX_STARTS = 3;

const children = new Set<ChildProcess>();
// Whatever way the orchestrator ends, no subject primary outlives it (their workers exit
// when their primary's IPC channel closes).
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface SubjectProcessOptions {
  env: SubjectEnv;
  /** Node flags of the primary (e.g. --cpu-prof). */
  primaryExecArgv: string[];
  /** Node flags of the workers. */
  workerExecArgv: string[];
  /** Load run once, unmeasured, when the subject starts. */
  primeMs: number;
}

/**
 * The orchestrator's handle on one subject's primary process: started on first use,
 * restarted after a hang or a crash, and every request bounded by a timeout.
 */
export class SubjectProcess {
  #child: ChildProcess | undefined;
  #starts = 0;
  #unavailable: string | undefined;
  #nextId = 1;

  constructor(
    readonly name: string,
    readonly options: SubjectProcessOptions,
  ) {}

  /** Why this subject cannot run any more, if it cannot. */
  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  async #start(): Promise<ChildProcess> {
    if (this.#child) return this.#child;
    if (this.#unavailable) throw new Error(this.#unavailable);
    this.#starts++;
    const child = fork(fileURLToPath(new URL('./primary.js', import.meta.url)), [this.name], {
      env: {
        ...process.env,
        BENCH_SUBJECT: this.name,
        BENCH_ENV: JSON.stringify(this.options.env),
        BENCH_WORKER_EXEC_ARGV: JSON.stringify(this.options.workerExecArgv),
        BENCH_PRIME_MS: String(this.options.primeMs),
      },
      execArgv: this.options.primaryExecArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.on('exit', () => {
      children.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    try {
      await this.#await(child, undefined, 'ready', START_TIMEOUT_MS);
    } catch (error) {
      this.#kill(child);
      const reason = (error as Error).message;
      if (this.#starts >= MAX_STARTS || /start-failed|could not start/.test(reason)) {
        this.#unavailable = `could not start: ${reason.replace(/^start-failed: /, '')}`;
      }
      throw new Error(this.#unavailable ?? reason);
    }
    this.#child = child;
    return child;
  }

  #await(
    child: ChildProcess,
    id: number | undefined,
    kind: string,
    timeoutMs: number,
  ): Promise<BenchMessage> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (message: unknown) => {
        if (!isBenchMessage(message)) return;
        if (message[TAG] === 'start-failed') {
          done();
          reject(new Error(`start-failed: ${String(message.reason)}`));
        } else if (message[TAG] === kind && message.id === id) {
          done();
          resolve(message);
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        reject(new Error(`the primary exited (${signal ?? code})`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }

  async #request(kind: string, fields: Record<string, unknown>, timeoutMs: number) {
    const child = await this.#start();
    const id = this.#nextId++;
    child.send(benchMessage(kind, { id, ...fields }));
    try {
      const reply = await this.#await(child, id, 'result', timeoutMs);
      // A worker died during the request: start afresh next time.
      if (reply.broken === true) this.#kill(child);
      return reply;
    } catch (error) {
      // Hung or crashed: kill it, so the next request starts a clean one.
      this.#kill(child);
      if (this.#starts >= MAX_STARTS) {
        this.#unavailable = `given up after ${this.#starts} starts: ${(error as Error).message}`;
      }
      throw error;
    }
  }

  /** Measures one round of one cell; never rejects. */
  async run(cell: CellSpec): Promise<CellOutcome> {
    // Prefill, warm-up, the window, the workers' own grace for stuck calls, and time to fork
    // and prime the workers a wider cell may need first.
    const timeout =
      30_000 + cell.warmupMs + cell.durationMs + 20_000 + cell.scenario.workers * 15_000;
    try {
      const reply = await this.#request('run', { cell }, timeout);
      return reply.outcome as CellOutcome;
    } catch (error) {
      return { status: 'failed', reason: (error as Error).message };
    }
  }

  /** A memory run; never rejects. */
  async memory(spec: MemorySpec): Promise<MemoryOutcome> {
    try {
      const reply = await this.#request('memory', { spec }, 660_000);
      return reply.outcome as MemoryOutcome;
    } catch (error) {
      return { status: 'failed', reason: (error as Error).message };
    }
  }

  #kill(child: ChildProcess): void {
    if (this.#child === child) this.#child = undefined;
    child.kill('SIGKILL');
  }

  /** Asks the primary to stop its workers and exit; kills it if it does not. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send(benchMessage('stop'));
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}
