import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { supervise } from '@statewire/cluster';
import { readConfig } from './config.js';
import { startHolder } from './transport.js';

// The primary: holds the state (IPC transports) and supervises the HTTP workers.
const config = readConfig();
if (!cluster.isPrimary) throw new Error('main.js is the primary; workers run worker.js');

// The holder lives as long as the primary: workers come and go around it.
await startHolder(config);
const supervisor = supervise({
  exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
  ...(config.workers === undefined ? {} : { workers: config.workers }),
});

const broadcast = () => {
  const pids = supervisor.workers().map((worker) => worker.process.pid);
  for (const worker of supervisor.workers())
    if (worker.isConnected()) worker.send({ demo: 'workers', pids }, () => {});
};
supervisor.on('listening', broadcast);
supervisor.on('exit', broadcast);

supervisor.ready.then(
  () =>
    console.log(
      `statewire demo on http://localhost:${config.port} (transport ${config.transport}, ${supervisor.workers().length} workers)`,
    ),
  (error: unknown) => console.error(`statewire demo did not start: ${(error as Error).message}`),
);
