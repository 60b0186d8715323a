// Process plumbing shared by the scenarios of every IPC transport: starting fixture programs
// (fork children, worker threads, holders, cluster primaries), reading their JSON-line
// reports, a hand-written host for protocol tests, and cleanup that kills every process a
// test started, also when it failed.
import { type ChildProcess, fork, type Serializable, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { FRAME_TAG, isTagged, PROTOCOL_VERSION } from '@statewire/core/transport';
import type { FrameWrapping, Host, IpcStore, ServeOptions } from '@statewire/ipc';

/** One transport package under test, by its built entry. */
export interface TransportUnderTest {
  /** The package name without scope: `ipc` or `ipc-msgpack`. */
  name: 'ipc' | 'ipc-msgpack';
  /** Absolute path of the package's built entry (`dist/index.js`). */
  entry: string;
  /** Its value codec: `msgpack` keeps binary and structured values, `json` does not. */
  codec: 'json' | 'msgpack';
  /** Whether its clients in a child process move to a side socket (the default `sideSocket`). */
  sideSocket: boolean;
  /**
   * Where its frame wrapping (the `frames` hook of its transport definition) is built: the
   * absolute path of the module and the name it is exported under. Hand-written peers and
   * hosts put frames on a channel with it.
   */
  frames: { module: string; name: string };
  /** Whether that wrapping packs frames (a peer can then also send packed frames, and garbled ones). */
  packsFrames: boolean;
  /**
   * The other transport, for scenarios that serve both in one process. Only a package that
   * depends on the other (ipc-msgpack on ipc) can count on it being built.
   */
  sibling?: TransportUnderTest;
}

/** What a transport package exports (both have the same shape). */
export type TransportModule = typeof import('@statewire/ipc');

/** Loads the transport under test into this (the test) process. */
export async function load(t: TransportUnderTest): Promise<TransportModule> {
  return (await import(pathToFileURL(t.entry).href)) as TransportModule;
}

/** Loads the frame wrapping of the transport under test into this (the test) process. */
export async function loadFrames(t: TransportUnderTest): Promise<FrameWrapping> {
  const module = (await import(pathToFileURL(t.frames.module).href)) as Record<string, unknown>;
  return module[t.frames.name] as FrameWrapping;
}

export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const fixture = (name: string) => `${fixturesDir}${name}`;
/** The fixture program of a role (fixtures/roles/). */
export const roleFixture = (role: string) => fixture(`roles/${role}.mjs`);

/** A line a fixture reported (see fixtures/lib.mjs). */
export interface Report {
  sw: 1;
  event: string;
  pid: number;
  thread: number;
  role: string;
  [key: string]: unknown;
}

/** How a call settled in a fixture (see `outcome` in fixtures/lib.mjs). */
export interface Outcome {
  ok: boolean;
  value?: unknown;
  code?: string;
  stateError?: boolean;
  maybeApplied?: boolean;
  hasMaybeApplied?: boolean;
  message?: string;
}

/** Outcomes counted by code (see `tally` in fixtures/lib.mjs). */
export interface Tally {
  total: number;
  ok: number;
  maybeApplied: { true: number; false: number; absent: number };
  [code: string]: unknown;
}

/** Generous bounds: two busy cores, many processes. Never an assertion about speed. */
export const WAIT_MS = 60_000;

type Match = string | ((report: Report) => boolean);

/** Reports of one process (and of everything sharing its stdout), in order. */
export class ReportLog {
  readonly list: Report[] = [];
  #other = '';
  #buffer = '';
  #ended: string | undefined;
  readonly #waiters = new Set<() => void>();

  /** Feeds stdout text. */
  feed(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line.startsWith('{"sw":1')) this.list.push(JSON.parse(line) as Report);
      else this.#other += `${line}\n`;
      newline = this.#buffer.indexOf('\n');
    }
    this.#wake();
  }

  /** Records text that is not a report (stderr), for failure messages. */
  note(text: string): void {
    this.#other += text;
  }

  /** No more reports will come. */
  end(reason: string): void {
    this.#ended ??= reason;
    this.#wake();
  }

  /** Everything that was not a report, plus the last reports: for failure messages. */
  diagnostics(): string {
    const last = this.list.slice(-8).map((r) => JSON.stringify(r).slice(0, 400));
    return `output:\n${this.#other.slice(-4000)}\nlast reports:\n${last.join('\n')}`;
  }

  /** The first report (at index `from` or later) that matches. */
  waitFor(match: Match, options: { timeout?: number; from?: number } = {}): Promise<Report> {
    const test = typeof match === 'string' ? (r: Report) => r.event === match : match;
    const from = options.from ?? 0;
    const timeout = options.timeout ?? WAIT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no report ${String(match)} within ${timeout} ms\n${this.diagnostics()}`));
      }, timeout);
      const check = () => {
        const found = this.list.slice(from).find(test);
        if (found) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        } else if (this.#ended !== undefined) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`no report ${String(match)}: ${this.#ended}\n${this.diagnostics()}`));
        }
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Crash reports (uncaught exceptions, unhandled rejections) from any fixture. */
  crashes(): Report[] {
    return this.list.filter((r) => r.event === 'crash');
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/** A started fixture: a child process or a worker thread. */
export interface Proc {
  readonly log: ReportLog;
  readonly child: ChildProcess | undefined;
  readonly worker: Worker | undefined;
  /** Resolves when the process (or thread) has exited. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  waitFor(match: Match, options?: { timeout?: number; from?: number }): Promise<Report>;
  /** Sends a fixture command ({ fx }) on the IPC channel / port. */
  send(message: object): void;
}

interface Started {
  stop(): Promise<void>;
  pids(): number[];
}
const started: Started[] = [];
const closers: (() => Promise<void> | void)[] = [];

function environment(t: TransportUnderTest, role: string, options: object): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SW_TRANSPORT: t.entry,
    SW_CODEC: t.codec,
    SW_SIDE_SOCKET: t.sideSocket ? '1' : '0',
    SW_FRAMES: JSON.stringify(t.frames),
    SW_ROLE: role,
    SW_OPTIONS: JSON.stringify(options),
  };
  // Whatever the test runner put there (loaders, conditions) is not for the fixtures.
  delete env.NODE_OPTIONS;
  return env;
}

function track(child: ChildProcess): Proc {
  const log = new ReportLog();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => log.feed(chunk));
  child.stdout?.on('end', () => log.end('its stdout ended (every process writing it exited)'));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.note(chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // A send to a child that is gone must not fail the test process.
  child.on('error', () => {});
  const proc: Proc = {
    log,
    child,
    worker: undefined,
    exited,
    waitFor: (match, options) => log.waitFor(match, options),
    send: (message) => {
      if (child.connected) child.send(message as Serializable, () => {});
    },
  };
  started.push({
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await bounded(exited, 15_000);
    },
    pids: () => reportedPids(log),
  });
  return proc;
}

/** Pids a fixture reported (its own, and children it started). */
function reportedPids(log: ReportLog): number[] {
  const pids = new Set<number>();
  for (const r of log.list) {
    pids.add(r.pid);
    if (typeof r.child === 'number') pids.add(r.child);
  }
  pids.delete(process.pid);
  return [...pids];
}

/** `child_process.fork()`s the fixture of `role` (the test process is its parent). */
export function forkClient(
  t: TransportUnderTest,
  role: string,
  options: object = {},
  extra: { execArgv?: string[]; serialization?: 'json' | 'advanced' } = {},
): Proc {
  const child = fork(roleFixture(role), [], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: environment(t, role, options),
    execArgv: extra.execArgv ?? [],
    ...(extra.serialization ? { serialization: extra.serialization } : {}),
  });
  return track(child);
}

/** Spawns a fixture program without an IPC channel (holders, primaries, no-channel clients). */
export function spawnFixture(
  t: TransportUnderTest,
  script: string,
  role: string,
  options: object = {},
  env: Record<string, string> = {},
): Proc {
  const child = spawn(process.execPath, [fixture(script)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...environment(t, role, options), ...env },
  });
  return track(child);
}

/** Starts the fixture of `role` in a worker thread of this process. */
export function startThread(t: TransportUnderTest, role: string, options: object = {}): Proc {
  const env = environment(t, role, options);
  const worker = new Worker(roleFixture(role), { env, stdout: true, stderr: true });
  const log = new ReportLog();
  worker.stdout.setEncoding('utf8').on('data', (chunk: string) => log.feed(chunk));
  worker.stderr.setEncoding('utf8').on('data', (chunk: string) => log.note(chunk));
  worker.on('error', (error) => log.note(`worker error: ${String(error.stack)}\n`));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    worker.once('exit', (code) => {
      log.end(`the thread exited with code ${code}`);
      resolve({ code, signal: null });
    });
  });
  started.push({
    async stop() {
      await bounded(worker.terminate(), 15_000);
    },
    pids: () => [],
  });
  return {
    log,
    child: undefined,
    worker,
    exited,
    waitFor: (match, options) => log.waitFor(match, options),
    send: (message) => worker.postMessage(message),
  };
}

/** Registers something to close when the test ends. */
export function onCleanup(close: () => Promise<void> | void): void {
  closers.push(close);
}

/** `serve()` in this (the test) process, closed when the test ends. `cluster: false`. */
export function serveHere(mod: TransportModule, options: ServeOptions = {}): Host {
  const host = mod.serve({ cluster: false, ...options });
  onCleanup(() => host.close());
  return host;
}

/** A store in this process reaching `host` over a MessageChannel: the host's own view. */
export function localStore<S extends object = Record<string, unknown>>(
  mod: TransportModule,
  host: Host,
  options: { maxValueBytes?: number } = {},
): IpcStore<S> {
  const { port1, port2 } = new MessageChannel();
  host.attach(port1);
  const store = mod.connect<S>({ channel: port2, ...options });
  onCleanup(async () => {
    await store.close();
    closePorts(port1, port2);
  });
  return store;
}

function closePorts(...ports: MessagePort[]): void {
  for (const port of ports) port.close();
}

/** Resolves `promise`, or gives up after `ms` (cleanup must not hang). */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** The state letter of a process (`R`, `S`, `T`, `Z`...), or `undefined` when it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is alive (a zombie waiting to be reaped has exited). */
export function isAlive(pid: number): boolean {
  const state = processState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Resolves when `pid` has exited; rejects after `timeout`. */
export async function waitForExit(pid: number, timeout = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive after ${timeout} ms`);
    await sleep(20);
  }
}

// Only a process running one of our fixture programs is ever killed by pid.
function isFixture(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(fixturesDir);
  } catch {
    return false;
  }
}

/** Kills every process and thread the test started (and the ones they reported), closes hosts. */
export async function cleanup(): Promise<void> {
  const all = started.splice(0);
  for (const entry of all) {
    for (const pid of entry.pids()) {
      if (!isAlive(pid) || !isFixture(pid)) continue;
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  await Promise.all(all.map((entry) => entry.stop()));
  for (const close of closers.splice(0).reverse()) await bounded(Promise.resolve(close()), 15_000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` until it holds; rejects after `timeout`. */
export async function until(
  predicate: () => boolean,
  what: string,
  timeout = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Calls `read` until `done(value)` holds; rejects after `timeout`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeout = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Drives a `driver` or `raw` role (fixtures/roles/) with numbered commands. */
export class Driver {
  #next = 0;
  constructor(readonly proc: Proc) {}

  /** Sends a command and resolves its `result` report. */
  async command(fx: string, data: object = {}, timeout = WAIT_MS): Promise<Report> {
    const id = ++this.#next;
    this.proc.send({ fx, id, ...data });
    return this.proc.waitFor((r) => r.event === 'result' && r.id === id, { timeout });
  }

  /**
   * Issues `n` calls at once in the fixture (see `burst` in roles/driver.mjs); resolves when they
   * have been handed to the carrier, with a promise of how they settled.
   */
  async burst(command: object): Promise<{ issued: Report; result: Promise<Report> }> {
    const id = ++this.#next;
    this.proc.send({ fx: 'burst', id, ...command });
    const issued = await this.proc.waitFor((r) => r.event === 'issued' && r.id === id);
    const result = this.proc.waitFor((r) => r.event === 'result' && r.id === id);
    // A fixture killed on purpose never reports the result: that is not an error.
    result.catch(() => {});
    return { issued, result };
  }

  /** Calls `method(...args)` on the fixture's store; resolves how it settled. */
  async call(method: string, ...args: unknown[]): Promise<Outcome> {
    return (await this.command('call', { method, args })).outcome as Outcome;
  }

  /** Like {@link call} on store `index` of a driver with several stores. */
  async callOn(index: number, method: string, ...args: unknown[]): Promise<Outcome> {
    return (await this.command('call', { store: index, method, args })).outcome as Outcome;
  }

  /** The client counters of each store of the fixture. */
  async stats(): Promise<{ stats: Record<string, number>[]; offers: string[] }> {
    const r = await this.command('stats');
    return { stats: r.stats as Record<string, number>[], offers: r.offers as string[] };
  }
}

/** A frame as a hand-written host sees it. */
export type SeenFrame = Record<string, unknown>;

/**
 * A host written by hand on a child's IPC channel, for what a real host never does: stay
 * silent, answer with another protocol version, send forged or duplicate replies, foreign
 * messages and handles. It declines side sockets, so that every frame stays on the channel.
 */
export class ManualHost {
  readonly frames: SeenFrame[] = [];

  constructor(
    readonly child: ChildProcess,
    readonly wrapping: FrameWrapping,
    readonly options: { version?: number; welcome?: boolean; answerSockets?: boolean } = {},
  ) {
    child.on('message', (message: unknown) => this.#receive(message));
  }

  /** Sends a frame (tagged with `version`) the way this transport carries frames. */
  send(frame: object): void {
    const message = this.wrapping.toMessage(frame, 'ipc').message;
    this.sendRaw(message);
  }

  /** Sends any message, optionally with a handle, as a foreign peer would. */
  sendRaw(message: unknown, handle?: Server | Socket): void {
    if (!this.child.connected) return;
    if (handle) this.child.send(message as Serializable, handle, () => {});
    else this.child.send(message as Serializable, () => {});
  }

  /** The client ids that said hello. */
  clients(): string[] {
    return [...new Set(this.frames.filter((f) => f.k === 'hello').map((f) => f.from as string))];
  }

  /** The calls a client sent, in order. */
  calls(from: string): unknown[][] {
    return this.frames
      .filter((f) => f.k === 'req' && f.from === from)
      .flatMap((f) => f.c as unknown[][]);
  }

  /** Resolves when `predicate` holds for the frames seen. */
  waitFor(predicate: (frames: SeenFrame[]) => boolean, what: string): Promise<void> {
    return until(() => predicate(this.frames), what);
  }

  #receive(message: unknown): void {
    const frame = this.wrapping.fromMessage(message);
    if (!isTagged(frame)) return;
    const seen = frame as SeenFrame;
    this.frames.push(seen);
    const version = this.options.version ?? PROTOCOL_VERSION;
    if (seen.k === 'socket?' && this.options.answerSockets !== false) {
      this.send({ [FRAME_TAG]: PROTOCOL_VERSION, k: 'socket-no', to: seen.from });
    } else if (seen.k === 'hello' && this.options.welcome !== false) {
      this.send({ [FRAME_TAG]: version, k: 'welcome', to: seen.from, maxCallsPerFrame: 4096 });
    }
  }
}
