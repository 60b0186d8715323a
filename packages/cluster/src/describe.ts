import type { Address, Worker } from 'node:cluster';

/** The prefix of every log line, so that a shared stderr stays greppable. */
export const LOG_PREFIX = '[statewire/cluster]';

/** `worker 3 (pid 1234)`: cluster's worker id and the OS process id. */
export function describeWorker(worker: Worker): string {
  return `worker ${worker.id} (pid ${worker.process.pid ?? '?'})`;
}

/** `with code 1` or `by signal SIGKILL`. */
export function describeExit(code: number | null, signal: string | null): string {
  return signal ? `by signal ${signal}` : `with code ${code ?? '?'}`;
}

/** `127.0.0.1:3000`, `[::1]:3000`, `*:3000` (all interfaces) or a socket path. */
export function describeAddress(address: Address): string {
  // cluster reports `address: null` for listen(port) without a host, despite its type.
  const host: string | null = address.address;
  if (address.addressType === -1) return host ?? 'a socket';
  if (!host) return `*:${address.port}`;
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}
