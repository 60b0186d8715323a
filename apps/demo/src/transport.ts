import type { Store } from '@statewire/core';
import type { DemoConfig } from './config.js';

/** The state every worker shares. */
export interface DemoState {
  hits: number;
  [key: `kv:${string}`]: unknown;
}

/**
 * The one place where the transport is chosen: the rest of the demo sees a `Store`.
 * IPC transports hold the data in the primary (`serve()`), bounded by `maxStateBytes`: any
 * HTTP client can store values (`PUT /kv/…`) and sessions (`POST /login`), and without a
 * bound it could grow the primary until it ran out of memory, with every worker's state.
 * Redis holds it in Redis.
 */
export async function startHolder(config: DemoConfig): Promise<{ close(): Promise<void> }> {
  switch (config.transport) {
    case 'ipc':
      return (await import('@statewire/ipc')).serve({ maxBytes: config.maxStateBytes });
    case 'ipc-msgpack':
      return (await import('@statewire/ipc-msgpack')).serve({ maxBytes: config.maxStateBytes });
    case 'redis':
      return { close: async () => {} };
  }
}

/** Opens the store of one namespace; `S` types its keys and values. */
export type OpenStore = <S extends object = Record<string, unknown>>(namespace: string) => Store<S>;

/**
 * Loads the chosen transport in a worker and returns how to open a store of one namespace
 * of the shared state. Each concern (the counter and map, rate limits, sessions, the
 * cache) gets its own namespace, so that none of them can read, list or clear another's
 * keys. Opening is synchronous, as Keyv's adapter needs it to be.
 */
export async function storeOpener(config: DemoConfig): Promise<OpenStore> {
  switch (config.transport) {
    case 'ipc': {
      const { connect } = await import('@statewire/ipc');
      return (namespace) => connect({ namespace });
    }
    case 'ipc-msgpack': {
      const { connect } = await import('@statewire/ipc-msgpack');
      return (namespace) => connect({ namespace });
    }
    case 'redis': {
      const { createRedisStore } = await import('@statewire/redis');
      return (namespace) => createRedisStore({ url: config.redisUrl, namespace });
    }
  }
}
