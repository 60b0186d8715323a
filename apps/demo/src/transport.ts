import type { Store } from '@statewire/core';
import type { DemoConfig } from './config.js';

/** The state every worker shares. */
export interface DemoState {
  hits: number;
  [key: `kv:${string}`]: unknown;
}

/**
 * The one place where the transport is chosen: the rest of the demo sees a `Store`.
 * IPC transports hold the data in the primary (`serve()`); Redis holds it in Redis.
 */
export async function startHolder(config: DemoConfig): Promise<{ close(): Promise<void> }> {
  switch (config.transport) {
    case 'ipc':
      return (await import('@statewire/ipc')).serve();
    case 'ipc-msgpack':
      return (await import('@statewire/ipc-msgpack')).serve();
    case 'redis':
      return { close: async () => {} };
  }
}

/** Connects a worker to the shared state. */
export async function connectStore(config: DemoConfig): Promise<Store<DemoState>> {
  switch (config.transport) {
    case 'ipc':
      return (await import('@statewire/ipc')).connect<DemoState>({ namespace: 'demo' });
    case 'ipc-msgpack':
      return (await import('@statewire/ipc-msgpack')).connect<DemoState>({ namespace: 'demo' });
    case 'redis':
      return (await import('@statewire/redis')).createRedisStore<DemoState>({
        url: config.redisUrl,
        namespace: 'demo',
      });
  }
}
