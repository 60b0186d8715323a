// Every factory takes `undefined` for an option it is not given (as every one does at run
// time), under exactOptionalPropertyTypes too: options built from what may be unset.
import { supervise } from '@statewire/cluster';
import { createMemoryStore } from '@statewire/core';
import { serveLoopback } from '@statewire/core/testing';
import { connect, serve } from '@statewire/ipc';
import { connect as connectMsgpack, serve as serveMsgpack } from '@statewire/ipc-msgpack';
import { createKeyvStore } from '@statewire/keyv';
import { createRateLimitStore } from '@statewire/rate-limit';
import { createRedisStore } from '@statewire/redis';
import { createSessionStore } from '@statewire/session';

declare const text: string | undefined;
declare const count: number | undefined;
declare const flag: boolean | undefined;

export function factories(): void {
  const store = createMemoryStore({
    namespace: text,
    timeout: count,
    maxEntries: count,
    maxBytes: count,
    now: undefined,
  });
  serveLoopback({ timeout: count, maxKeyBytes: count, host: undefined, client: undefined });
  serve({ cluster: flag, maxReplyBytes: count, sideSocket: flag });
  connect({ namespace: text, timeout: count, channel: undefined });
  serveMsgpack({ maxEntries: count });
  connectMsgpack({ namespace: text });
  createRedisStore({ url: text, prefix: text, namespace: text, waitForReplicas: undefined });
  supervise({ exec: 'worker.js', workers: count, logger: undefined, backoff: { jitter: count } });
  createSessionStore({ store, prefix: text, ttl: count });
  createRateLimitStore({ store, prefix: text });
  createKeyvStore({ open: () => store, closeOnDisconnect: flag, maxBatchKeys: count });
}
