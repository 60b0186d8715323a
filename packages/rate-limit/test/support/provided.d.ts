declare module 'vitest' {
  export interface ProvidedContext {
    /** The redis-server of this run: REDIS_URL, or one started by the global setup. */
    redisUrl: string;
  }
}

export {};
