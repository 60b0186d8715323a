import { debuglog } from 'node:util';
import type { Cluster } from 'ioredis';
import type { SlotRoutes } from './slot-routes.js';

/** The part of ioredis's (internal) redirection handler that we use. */
interface RedirectionHandlers {
  defaults(): void;
}

type HandleError = (error: Error, ttl: unknown, handlers: RedirectionHandlers) => void;

// Error replies ioredis answers by sending the same command again after a delay
// (`retryDelayOnTryAgain`, `retryDelayOnClusterDown`): by then, calls made after it have
// been sent and applied, so the retry applies out of order (issue 12, item 13: a
// `deleteMany([k])` parked on TRYAGAIN erased the `set(k)` made after it).
const DELAYED_RETRIES: ReadonlySet<string> = new Set(['TRYAGAIN', 'CLUSTERDOWN']);

const debug = debuglog('statewire');

const changed = new WeakSet<object>();

/**
 * Makes a Cluster client reject a command refused with `TRYAGAIN` (a slot half-migrated)
 * or `CLUSTERDOWN` (the cluster is failing) at once, with that error reply, instead of
 * sending it again later behind newer commands. Redis applied nothing of a command it
 * refused, so the call rejects `BACKEND` with `maybeApplied: false` and the caller decides.
 * `MOVED` and `ASK` are still followed by ioredis: it sends the command on as soon as the
 * redirection arrives, and the commands sent after it on that connection are redirected
 * after it, in order ({@link SlotRoutes} holds back those that would take another way).
 *
 * ioredis has no option for this (`retryDelayOnTryAgain: 0` still retries, on the next
 * turn), so the client's redirection handler is wrapped once per client; a client shared
 * by several stores is changed once. The Cluster tests check it against a real cluster.
 */
export function refuseDelayedRetries(cluster: Cluster): void {
  if (changed.has(cluster)) return;
  const target = cluster as unknown as { handleError?: HandleError };
  const original = target.handleError;
  if (typeof original !== 'function') return;
  changed.add(cluster);
  target.handleError = function (this: Cluster, error, ttl, handlers) {
    const kind = typeof error?.message === 'string' ? error.message.split(' ', 1)[0] : '';
    if (DELAYED_RETRIES.has(kind ?? '')) {
      debug('redis: %s refused a command; rejecting it instead of retrying it later', kind);
      handlers.defaults();
      return;
    }
    original.call(this, error, ttl, handlers);
  };
}
