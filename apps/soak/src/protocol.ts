/** The transports a soak run can exercise. */
export const soakTransports = ['ipc', 'ipc-msgpack', 'redis'] as const;
export type SoakTransport = (typeof soakTransports)[number];

/** What the primary tells a worker when it starts. */
export interface WorkerAssignment {
  soak: 'assignment';
  transport: SoakTransport;
  redisUrl: string | undefined;
  /** Calls this worker should make. */
  calls: number;
  inFlight: number;
  namespace: string;
}

/** What a worker reports, periodically and once at the end (`final: true`). */
export interface WorkerReport {
  soak: 'report';
  final: boolean;
  done: number;
  /** Failed calls by error code. */
  errors: Record<string, number>;
  /** Calls pending in the worker's store, from its own counters. */
  pending: number;
  timers: number;
  rss: number;
  heapUsed: number;
}
