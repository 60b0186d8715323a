/**
 * Throwaway redis-server processes for tests: free loopback ports, a temp dir each, no RDB
 * snapshots, a hard lifetime (a detached watchdog kills the server even if this process
 * dies), and cleanup on exit. No mocks: these are real servers.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long any server may live, whatever happens to the test run. */
const LIFETIME_SECONDS = 900;

/** What a test needs to know about a server it did not start (serialisable, for `provide`). */
export interface RedisServerInfo {
  url: string;
  port: number;
  dir: string;
  config: string;
  /** Runs as a Sentinel (`redis-server <config> --sentinel`). */
  sentinel?: boolean;
  /**
   * Seconds the watchdog lets the server live, whatever happens to its owner.
   * @default 900
   */
  lifetimeSeconds?: number;
}

/** A server this process started. */
export interface RedisServer extends RedisServerInfo {
  /** The current process id (changes on restart). */
  pid(): number;
  /** Sends a signal to the server process. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the server and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same port with the same config (and data dir). */
  restart(): Promise<void>;
  /** Kills the server and deletes its directory. */
  stop(): Promise<void>;
}

interface Tracked {
  child: ChildProcess;
  watchdog: ChildProcess;
}

const live = new Set<Tracked>();
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const tracked of live) killTracked(tracked);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

function killTracked(tracked: Tracked): void {
  for (const pid of [tracked.child.pid, tracked.watchdog.pid]) {
    if (pid === undefined) continue;
    try {
      // The watchdog is a detached group leader: kill its sleep too.
      process.kill(pid === tracked.watchdog.pid ? -pid : pid, 'SIGKILL');
    } catch {}
  }
  live.delete(tracked);
}

const INSTALL_HINT =
  'redis-server is not installed: install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`, macOS: `brew install redis`) or set REDIS_URL';

function hasRedis(): boolean {
  const server = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  const cli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' });
  return server.status === 0 && cli.status === 0;
}

/**
 * Makes sure `redis-server` and `redis-cli` exist: as root on a machine with apt-get,
 * installs Debian's `redis-server` (quietly, bounded in time); otherwise throws one line
 * saying how to install it.
 */
export function ensureRedisInstalled(): void {
  if (hasRedis()) return;
  const root = process.getuid?.() === 0;
  const aptGet = '/usr/bin/apt-get';
  if (root && existsSync(aptGet)) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync(aptGet, ['update', '-qq'], { stdio: 'ignore', timeout: 180_000, env });
    spawnSync(aptGet, ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
      stdio: 'ignore',
      timeout: 300_000,
      env,
    });
    if (hasRedis()) return;
  }
  throw new Error(INSTALL_HINT);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port (and, for Cluster nodes, its bus port + 10000 free too). */
export async function freePort(withBus = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (!withBus) return port;
    if (port + 10000 <= 65535 && (await portIsFree(port + 10000))) return port;
  }
  throw new Error('no free port pair found for a Cluster node');
}

type Reply = string | number | null | Reply[] | Error;

/**
 * Sends one command over a raw socket and reads one RESP2 reply (enough for PING, INFO,
 * CLUSTER INFO, ACL …). Bounded by `timeout`.
 */
export function rawCommand(port: number, args: string[], timeout = 2000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis at ${port} did not answer ${args[0]} in ${timeout} ms`));
    }, timeout);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('connect', () => {
      let out = `*${args.length}\r\n`;
      for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
      socket.write(out);
    });
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const parsed = parseReply(data, 0);
      if (!parsed) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(parsed[0]);
    });
  });
}

function parseReply(data: Buffer, at: number): [Reply, number] | undefined {
  const end = data.indexOf('\r\n', at);
  if (end === -1) return undefined;
  const line = data.toString('utf8', at + 1, end);
  switch (String.fromCharCode(data[at] as number)) {
    case '+':
      return [line, end + 2];
    case '-':
      return [new Error(line), end + 2];
    case ':':
      return [Number(line), end + 2];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, end + 2];
      if (data.length < end + 2 + length + 2) return undefined;
      return [data.toString('utf8', end + 2, end + 2 + length), end + 2 + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, end + 2];
      const items: Reply[] = [];
      let next = end + 2;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, next);
        if (!item) return undefined;
        items.push(item[0]);
        next = item[1];
      }
      return [items, next];
    }
    default:
      throw new Error(`unexpected RESP reply ${line}`);
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeout = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Options of {@link startRedisServer}. */
export interface StartOptions {
  /** Append-only file with `appendfsync always`. */
  aof?: boolean;
  /** `cluster-enabled yes`. */
  cluster?: boolean;
  /** Extra config lines. */
  extra?: string[];
  /** A port chosen by the caller (for example one a store already waits on). */
  port?: number;
  /** Runs a Sentinel that monitors the master on this port as `mymaster`. */
  sentinelOf?: number;
  /**
   * Seconds the watchdog lets the server live: longer for a run that outlasts a test
   * session (the bench), whose servers must live as long as it does.
   * @default 900
   */
  lifetimeSeconds?: number;
}

/** Starts a redis-server on a free loopback port, in a new temp dir. */
export async function startRedisServer(options: StartOptions = {}): Promise<RedisServer> {
  installExitHook();
  const port = options.port ?? (await freePort(options.cluster === true));
  const dir = mkdtempSync(join(tmpdir(), 'statewire-redis-'));
  dirs.add(dir);
  const common = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `pidfile ${join(dir, 'redis.pid')}`,
    `logfile ${join(dir, 'redis.log')}`,
    'daemonize no',
  ];
  const sentinel = options.sentinelOf !== undefined;
  const lines = [
    ...common,
    ...(sentinel
      ? [`sentinel monitor mymaster 127.0.0.1 ${options.sentinelOf} 1`]
      : ['save ""', `appendonly ${options.aof ? 'yes' : 'no'}`, 'appendfsync always']),
    ...(options.cluster
      ? ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 5000']
      : []),
    ...(options.extra ?? []),
  ];
  const config = join(dir, 'redis.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);
  return launch({
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    config,
    sentinel,
    ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
  });
}

/** Takes over a server described by `info` (for example after it was killed): restarts it. */
export function adoptRedisServer(info: RedisServerInfo): RedisServer {
  installExitHook();
  return handle(info);
}

async function launch(info: RedisServerInfo): Promise<RedisServer> {
  const server = handle(info);
  await server.restart();
  return server;
}

const running = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

function handle(info: RedisServerInfo): RedisServer {
  let current: Tracked | undefined;
  const pidFile = join(info.dir, 'redis.pid');
  const pidOf = (): number => {
    if (current?.child.pid !== undefined && running(current.child)) return current.child.pid;
    return Number(readFileSync(pidFile, 'utf8').trim());
  };
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const kill = async (): Promise<void> => {
    let pid: number | undefined;
    try {
      pid = pidOf();
    } catch {}
    if (current) killTracked(current);
    current = undefined;
    if (pid !== undefined && alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await waitFor(`redis ${info.port} to die`, async () => !alive(pid as number), 10_000);
    }
    // The kernel may need a moment to release the port.
    await waitFor(`port ${info.port} to be free`, () => portIsFree(info.port), 10_000);
  };
  return {
    ...info,
    pid: pidOf,
    signal(signal) {
      process.kill(pidOf(), signal);
    },
    kill,
    async restart() {
      const args = info.sentinel ? [info.config, '--sentinel'] : [info.config];
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      child.on('error', () => {});
      const watchdog = spawn(
        'sh',
        [
          '-c',
          `sleep ${info.lifetimeSeconds ?? LIFETIME_SECONDS}; kill -9 ${child.pid} 2>/dev/null`,
        ],
        { detached: true, stdio: 'ignore' },
      );
      watchdog.unref();
      current = { child, watchdog };
      live.add(current);
      await waitFor(`redis-server on port ${info.port}`, async () => {
        if (!running(child)) {
          const log = existsSync(join(info.dir, 'redis.log'))
            ? readFileSync(join(info.dir, 'redis.log'), 'utf8').slice(-500)
            : '';
          throw Object.assign(new Error(`redis-server exited: ${log}`), { fatal: true });
        }
        return (await rawCommand(info.port, ['PING'], 500)) === 'PONG';
      });
    },
    async stop() {
      await kill();
      rmSync(info.dir, { recursive: true, force: true });
      dirs.delete(info.dir);
    },
  };
}

/** A 3-master Redis Cluster on loopback (no replicas). */
export interface RedisCluster {
  nodes: RedisServer[];
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface ClusterStartOptions {
  /**
   * `cluster-node-timeout` in ms: how long a master may not answer before the others mark
   * it failing (and, without replicas, the cluster goes down). Short for failure tests.
   * @default 5000
   */
  nodeTimeout?: number;
}

/** Starts `count` cluster-enabled servers and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(
  count = 3,
  options: ClusterStartOptions = {},
): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const extra =
    options.nodeTimeout === undefined ? [] : [`cluster-node-timeout ${options.nodeTimeout}`];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startRedisServer({ cluster: true, extra }));
    execFileSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
    for (const node of nodes) {
      await waitFor(`cluster_state:ok on ${node.port}`, async () => {
        const info = await rawCommand(node.port, ['CLUSTER', 'INFO']);
        return typeof info === 'string' && info.includes('cluster_state:ok');
      });
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
  return {
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
