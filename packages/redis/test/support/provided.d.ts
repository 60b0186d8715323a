import type { RedisServerInfo } from '@statewire/test-redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The standalone server: REDIS_URL, or one started by the global setup. */
    redisUrl: string;
    /** Startup nodes of the 3-master Cluster started by the global setup. */
    clusterNodes: { host: string; port: number }[];
    /** The AOF (`appendfsync always`) server started by the global setup. */
    aofServer: RedisServerInfo;
  }
}
