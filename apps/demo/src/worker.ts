import { createServer } from 'node:http';
import { readConfig } from './config.js';
import { createHandler } from './http-app.js';
import { connectStore } from './transport.js';

// A cluster worker: serves HTTP on the shared port, with state shared through the store.
const config = readConfig();
const store = await connectStore(config);
let workers: number[] = [process.pid];

process.on('message', (message: unknown) => {
  const update = message as { demo?: unknown; pids?: unknown };
  if (update?.demo === 'workers' && Array.isArray(update.pids))
    workers = update.pids.filter((pid) => typeof pid === 'number');
});
// The primary disconnects a worker to stop it (reload, shutdown): the server has stopped
// accepting and finished its requests by then; release the store so the process can exit.
process.once('disconnect', () => void store.close());

// Ctrl+C in a terminal signals the whole process group; the primary shuts workers down
// gracefully (finishing their requests), so a worker leaves SIGINT to it.
process.on('SIGINT', () => {});

const server = createServer(
  createHandler({
    store,
    transport: config.transport,
    maxBodyBytes: config.maxBodyBytes,
    workers: () => workers,
  }),
);
server.keepAliveTimeout = 5000;
server.listen(config.port);
