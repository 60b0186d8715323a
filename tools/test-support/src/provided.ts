// What the redis global setup hands to the tests. A test package's tsconfig lists
// "@statewire/test-support/provided" in `types` so that `inject('redisUrl')` is typed.
declare module 'vitest' {
  export interface ProvidedContext {
    /** The standalone redis-server of this run: REDIS_URL, or one the global setup started. */
    redisUrl: string;
  }
}

export {};
