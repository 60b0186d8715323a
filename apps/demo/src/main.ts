import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ClusterError, supervise } from '@statewire/cluster';
import { type DemoConfig, readConfig } from './config.js';
import { checkPort } from './port-check.js';
import { isServedMessage, type StatsMessage, StatsTally } from './stats.js';
import { startHolder } from './transport.js';

// The primary: holds the state (IPC transports) and supervises the HTTP workers.
if (!cluster.isPrimary) throw new Error('main.js is the primary; workers run worker.js');

/** A failure no restart can fix: one line saying what and how to fix it, exit code 1. */
function cannotStart(reason: string): never {
  console.error(`statewire demo cannot start: ${reason}`);
  process.exit(1);
}

let config: DemoConfig;
try {
  config = readConfig();
} catch (error) {
  cannotStart((error as Error).message);
}
const { port } = config;
// Checked once here, before forking: each worker would otherwise fail on its own.
const portProblem = await checkPort(port);
if (portProblem !== undefined) cannotStart(portProblem);

// The holder lives as long as the primary: workers come and go around it.
await startHolder(config);
const supervisor = supervise({
  exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
  // Every worker must sign and check session cookies with the same secret. A secret drawn
  // here lasts as long as the primary: with Redis, set SESSION_SECRET for logins that
  // outlive a restart of the demo.
  env: { SESSION_SECRET: config.sessionSecret ?? randomBytes(32).toString('hex') },
  ...(config.workers === undefined ? {} : { workers: config.workers }),
});

const tally = new StatsTally();
const storeProblems = new Map<number, string>();
const pids = () => supervisor.workers().map((worker) => worker.process.pid as number);
const broadcast = () => {
  const message: StatsMessage = { demo: 'stats', ...tally.snapshot(pids()) };
  for (const worker of supervisor.workers())
    if (worker.isConnected()) worker.send(message, () => {});
};
supervisor.on('fork', (worker) => {
  worker.on('message', (message: unknown) => {
    const pid = worker.process.pid as number;
    // Broadcast at once, so that the page shows a burst's counts within its next poll.
    if (isServedMessage(message) && tally.served(pid, message.served)) broadcast();
    const store = message as { demo?: unknown; problem?: unknown } | null;
    if (store?.demo === 'store') {
      if (typeof store.problem === 'string') storeProblems.set(pid, store.problem);
      else storeProblems.delete(pid);
    }
  });
});
supervisor.on('listening', broadcast);
supervisor.on('exit', (worker) => {
  storeProblems.delete(worker.process.pid as number);
  broadcast();
});
const ticker = setInterval(() => {
  tally.tick();
  broadcast();
}, 1000);
ticker.unref();

let failed = false;
const stopFatally = (reason: string) => {
  if (failed) return;
  failed = true;
  console.error(`statewire demo cannot start: ${reason}`);
  void supervisor.shutdown().finally(() => process.exit(1));
};
let started = false;
// Before the demo is up, a worker that cannot run means the demo cannot either. After it,
// a reload's replacement failing this way leaves the old workers serving (the supervisor
// logs why), and the fix is a new reload.
supervisor.on('fatal', (_seat, reason) => {
  if (!started) stopFatally(reason);
});

supervisor.ready.then(
  () => {
    started = true;
    const url = `http://localhost:${port}`;
    const workers = supervisor.workers().length;
    const [problem] = storeProblems.values();
    const where = `(transport ${config.transport}, ${workers} workers, primary pid ${process.pid})`;
    if (problem === undefined) console.log(`statewire demo on ${url} ${where}`);
    else
      console.error(
        `statewire demo serves ${url} ${where} but cannot reach its store: ${problem}; ` +
          `/health answers 503 until it can${config.transport === 'redis' ? ' (check REDIS_URL and that Redis runs)' : ''}`,
      );
    console.log(`  reload the workers: kill -HUP ${process.pid}`);
    console.log(`  stop: Ctrl+C, or kill -TERM ${process.pid}`);
  },
  // A worker that failed fatally has said why already; any other reason (a crash loop
  // the supervisor gave up on) is said here. Either way the demo stops, non-zero; a
  // Ctrl+C during start-up is no failure (the signal handler exits 0).
  (error: unknown) => {
    if (!(ClusterError.is(error) && error.code === 'SHUT_DOWN'))
      stopFatally(error instanceof Error ? error.message : String(error));
  },
);
