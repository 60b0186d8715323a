import { createServer } from 'node:http';
import { closeConnectionsOnDisconnect, exitFatal } from '@statewire/cluster';
import type { Store } from '@statewire/core';
import { readConfig } from './config.js';
import { createHandler } from './http-app.js';
import { createIntegrations, type Integrations } from './integrations.js';
import { describeListenError } from './port-check.js';
import { type ClusterStats, isStatsMessage, type ServedMessage } from './stats.js';
import { checkStore } from './store-check.js';
import { type DemoState, storeOpener } from './transport.js';

// A cluster worker: serves HTTP on the shared port, with state shared through the store.
// A failure that a restart cannot fix ends it with exitFatal(), so that the supervisor
// stops instead of respawning it in a loop.
async function start(): Promise<void> {
  // The primary read the same environment without error before forking.
  const config = readConfig();
  let store: Store<DemoState>;
  let integrations: Integrations;
  try {
    const open = await storeOpener(config);
    store = open<DemoState>('demo');
    integrations = createIntegrations(config, open);
  } catch (error) {
    exitFatal(`the ${config.transport} store cannot be set up: ${(error as Error).message}`);
    return;
  }

  let stats: ClusterStats = { workers: [{ pid: process.pid, served: 0 }], requestsPerSecond: 0 };
  let served = 0;
  process.on('message', (message: unknown) => {
    if (isStatsMessage(message))
      stats = { workers: message.workers, requestsPerSecond: message.requestsPerSecond };
  });
  // The primary sums the counts of all workers for the page.
  const report = setInterval(() => {
    if (process.connected) process.send?.({ demo: 'served', served } satisfies ServedMessage);
  }, 500);
  report.unref();

  // The primary disconnects a worker to stop it (reload, shutdown): the server has stopped
  // accepting and finished its requests by then; release the store so the process can exit.
  process.once('disconnect', () => {
    clearInterval(report);
    void store.close();
    void integrations.close();
  });

  // Ctrl+C in a terminal signals the whole process group; the primary shuts workers down
  // gracefully (finishing their requests), so a worker leaves SIGINT to it.
  process.on('SIGINT', () => {});

  // One real call before listening: the primary hears whether the store answers before
  // it hears that this worker listens, and says so in its start-up line.
  const problem = await checkStore(store);
  // Told to stop meanwhile (another worker failed, Ctrl+C): the channel is closed, and
  // sending on it would throw ERR_IPC_CHANNEL_CLOSED.
  if (!process.connected) return;
  process.send?.({ demo: 'store', problem: problem ?? null });

  const server = createServer(
    createHandler({
      store,
      transport: config.transport,
      maxBodyBytes: config.maxBodyBytes,
      stats: () => stats,
      countRequest: () => {
        served += 1;
      },
      integrations: integrations.handle,
    }),
  );
  server.keepAliveTimeout = 5000;
  // The page polls on a kept-alive connection: once this worker is told to leave, its
  // connections close as their responses end, instead of holding it until it is killed.
  closeConnectionsOnDisconnect(server);
  // The primary checked the port before forking, but another program may take it in
  // between; restarting this worker would then only fail the same way.
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
      exitFatal(describeListenError(config.port, error));
    else throw error;
  });
  server.listen(config.port);
}

await start();
