// `redisUrl` is typed by the shared redis global setup's declaration.
/// <reference types="@statewire/test-support/provided" />
import type { RedisServerInfo } from '@statewire/test-redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Startup nodes of the 3-master Cluster started by the global setup. */
    clusterNodes: { host: string; port: number }[];
    /** The AOF (`appendfsync always`) server started by the global setup. */
    aofServer: RedisServerInfo;
  }
}
