import type { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-client.js';

const noop = (): void => {};

type Listener = Parameters<EventEmitter['on']>[1];

/**
 * Adds `listener`, raising the emitter's listener limit by one.
 *
 * Several stores may share one injected client (one per namespace, say): each adds one
 * listener per event, so the limit grows with them instead of warning at 11.
 */
export function listen(emitter: EventEmitter, event: string, listener: Listener): void {
  const max = emitter.getMaxListeners();
  if (max !== 0) emitter.setMaxListeners(max + 1);
  emitter.on(event, listener);
}

/** Removes `listener` added by {@link listen}, lowering the listener limit again. */
export function unlisten(emitter: EventEmitter, event: string, listener: Listener): void {
  emitter.off(event, listener);
  const max = emitter.getMaxListeners();
  if (max > 1) emitter.setMaxListeners(max - 1);
}

/** Waits for `promise`, at most `ms` milliseconds, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

// Statuses in which a connection exists or is being made: disconnect() closes it, and
// ioredis then emits 'end'. From 'reconnecting' (or a Cluster without nodes) it emits
// nothing more, and there is nothing left to wait for.
const CONNECTED: ReadonlySet<string> = new Set(['ready', 'connect', 'connecting']);

/**
 * Quits a client the store closes: `QUIT` when ready (bounded), then `disconnect()`, and
 * waits (bounded) for its `end`. Errors while quitting are expected (a dead server) and are
 * swallowed, so that they never reach the console.
 */
export async function quit(client: RedisClient): Promise<void> {
  client.on('error', noop);
  if (client.status === 'end') return;
  const live = CONNECTED.has(client.status);
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  // QUIT waits for the server's reply; a stalled server must not stall close().
  if (client.status === 'ready') await within(client.quit().catch(noop), 1000);
  client.disconnect();
  if (live && (client.status as string) !== 'end') await within(ended, 1000);
}
