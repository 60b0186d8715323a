/** The transports the demo can run on, chosen with `STATEWIRE_TRANSPORT`. */
export const transports = ['ipc', 'ipc-msgpack', 'redis'] as const;

/** One of {@link transports}. */
export type TransportName = (typeof transports)[number];

/** The demo's settings, read from the environment. */
export interface DemoConfig {
  /** `PORT`, default 3000. */
  port: number;
  /** `STATEWIRE_TRANSPORT`, default `ipc`. */
  transport: TransportName;
  /** `REDIS_URL`, default `redis://127.0.0.1:6379` (redis transport only). */
  redisUrl: string;
  /** `WORKERS`, default one per CPU. */
  workers: number | undefined;
  /** Largest request body accepted, in bytes (`MAX_BODY_BYTES`, default 1 MiB). */
  maxBodyBytes: number;
  /**
   * Most bytes of keys and values the primary holds with the IPC transports
   * (`MAX_STATE_BYTES`, default 256 MiB); past it the entries used least recently make room.
   */
  maxStateBytes: number;
  /** Requests one client may make to `/limited` per window, all workers together (`RATE_LIMIT`, default 10). */
  rateLimit: number;
  /** Length of a rate-limit window, ms (`RATE_LIMIT_WINDOW_MS`, default 60000). */
  rateLimitWindowMs: number;
  /** How long `/slow` takes to compute an answer, ms (`SLOW_MS`, default 500). */
  slowMs: number;
  /** How long a `/slow` answer stays cached, ms (`SLOW_TTL_MS`, default 30000). */
  slowTtlMs: number;
  /**
   * Signs the session cookies (`SESSION_SECRET`). Every worker needs the same one; when it
   * is unset the primary draws one at start and hands it to its workers.
   */
  sessionSecret: string | undefined;
}

function positiveInteger(
  name: string,
  raw: string | undefined,
  fallback: number | undefined,
): number | undefined {
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() would also read "0x2", " 2" or "1e0".
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value))
    throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

// A window or a TTL of 0 ms would make every request its own window or cache nothing.
function atLeastOne(name: string, value: number): number {
  if (value < 1) throw new Error(`${name} must be at least 1, got "${value}"`);
  return value;
}

// No workers would serve nothing.
function optionalAtLeastOne(name: string, value: number | undefined): number | undefined {
  return value === undefined ? undefined : atLeastOne(name, value);
}

function portNumber(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  // Node would take "0x10" or 99999 (a RangeError in every worker); the fix is the same.
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(port) || port < 1 || port > 65_535)
    throw new Error(
      `PORT must be a port number from 1 to 65535, got "${raw}": choose one, e.g. PORT=3000 npm start`,
    );
  return port;
}

/**
 * Reads the configuration from `env`.
 * @throws Error naming the variable when one is malformed
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const transport = env.STATEWIRE_TRANSPORT || 'ipc';
  if (!(transports as readonly string[]).includes(transport)) {
    throw new Error(
      `STATEWIRE_TRANSPORT must be one of ${transports.join(', ')}, got "${transport}"`,
    );
  }
  return {
    port: portNumber(env.PORT),
    transport: transport as TransportName,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    workers: optionalAtLeastOne('WORKERS', positiveInteger('WORKERS', env.WORKERS, undefined)),
    maxBodyBytes: positiveInteger('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 1024 * 1024) as number,
    maxStateBytes: atLeastOne(
      'MAX_STATE_BYTES',
      positiveInteger('MAX_STATE_BYTES', env.MAX_STATE_BYTES, 256 * 1024 * 1024) as number,
    ),
    rateLimit: positiveInteger('RATE_LIMIT', env.RATE_LIMIT, 10) as number,
    rateLimitWindowMs: atLeastOne(
      'RATE_LIMIT_WINDOW_MS',
      positiveInteger('RATE_LIMIT_WINDOW_MS', env.RATE_LIMIT_WINDOW_MS, 60_000) as number,
    ),
    slowMs: positiveInteger('SLOW_MS', env.SLOW_MS, 500) as number,
    slowTtlMs: atLeastOne(
      'SLOW_TTL_MS',
      positiveInteger('SLOW_TTL_MS', env.SLOW_TTL_MS, 30_000) as number,
    ),
    sessionSecret: env.SESSION_SECRET || undefined,
  };
}
