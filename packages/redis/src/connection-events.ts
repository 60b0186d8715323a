import { debuglog } from 'node:util';
import { ErrorCode, type StateErrorCode } from '@statewire/core';
import type { Cluster } from 'ioredis';
import { listen, unlisten } from './client-events.js';
import { isAuthError, isConnectionError, isProtocolError, sanitizeCause } from './error-mapping.js';
import { isCluster, type RedisClient } from './redis-client.js';

const debug = debuglog('statewire');

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
}

function unreachable(error: unknown): string {
  if (isProtocolError(error)) {
    return `could not connect to Redis: the server does not answer in the Redis protocol (${messageOf(error)}); check the url's host, port and scheme`;
  }
  const message = error instanceof Error ? messageOf(error) : '';
  return `could not connect to Redis${message ? ` (${message})` : ''}`;
}

/** Why calls cannot be sent now, and what they reject with. */
export interface Refusal {
  readonly code: StateErrorCode;
  readonly reason: string;
  /** The connection's error (with the command's arguments still on it: sanitize it). */
  readonly cause?: unknown;
}

/** What the store does when its connection changes. */
export interface ConnectionHandlers {
  /** A connection is ready: queued calls may go. */
  ready(): void;
  /** Nothing can be sent for now: the queued calls (never sent) reject with `refusal`. */
  failQueued(refusal: Refusal): void;
  /** The connection that carried every call in flight closed: their replies are lost. */
  lost(): void;
}

/** What a {@link ConnectionEvents} listens to, and how it reacts. */
export interface ConnectionEventsOptions {
  client: RedisClient;
  /**
   * Stop the client reconnecting once Redis refused its credentials or its database (a
   * client we own).
   */
  stopOnRefusal: boolean;
  handlers: ConnectionHandlers;
}

// ioredis selects the client's database (`db`, the url's path) while it connects, and goes
// on with database 0 when Redis refuses it (an index over `databases`), only emitting the
// error. The store must not write a single call there.
function isSelectRefused(error: unknown): boolean {
  return (error as { command?: { name?: unknown } } | null)?.command?.name === 'select';
}

/**
 * The connection's events, as the store sees them (like ioredis's `redis/event_handler.ts`):
 *
 * - `ready`: calls go; `connect`: Redis is reachable again, so calls wait for the ready
 *   connection (bounded by their timeout) instead of failing at once.
 * - A failed connection attempt (refused, unknown host, timed out; for a Cluster, every
 *   startup node): nothing can be sent until one succeeds, so queued and new calls reject
 *   `UNAVAILABLE` at once instead of waiting for their timeout. Nothing of theirs was sent.
 * - Refused credentials: calls reject `AUTH`; a client we own stops reconnecting, since
 *   retrying a refused password is a retry storm that fixes nothing.
 * - A refused database (`SELECT` of an index the server does not have): ioredis would go
 *   on in database 0, so every call rejects `BACKEND` from then on, nothing is sent, and a
 *   client we own stops.
 * - `end`: the client gave up; queued calls reject.
 * - `close` of a standalone connection: every call in flight lost its reply. (A Cluster's
 *   node connections reject their own unanswered commands when they close, which fails
 *   exactly the calls sent to that node.)
 */
export class ConnectionEvents {
  readonly #client: RedisClient;
  readonly #cluster: Cluster | undefined;
  readonly #stopOnRefusal: boolean;
  readonly #handlers: ConnectionHandlers;
  /** Set when Redis refused the credentials; cleared when a connection becomes ready. */
  #refused: unknown;
  /** Set when a connection attempt failed; cleared when a connection becomes ready. */
  #unreachable: unknown;
  /** Set when Redis refused the client's database: final, whatever the connection does. */
  #wrongDatabase: Refusal | undefined;
  #detached = false;
  readonly #listeners: [emitter: RedisClient, event: string, listener: (error: unknown) => void][];

  constructor(options: ConnectionEventsOptions) {
    const client = options.client;
    this.#client = client;
    this.#cluster = isCluster(client) ? client : undefined;
    this.#stopOnRefusal = options.stopOnRefusal;
    this.#handlers = options.handlers;
    // A node's errors say nothing about the others: only refused credentials matter there.
    this.#listeners = [
      [client, 'ready', this.#onReady],
      [client, 'connect', this.#onConnect],
      [client, 'error', this.#onError],
      [client, 'end', this.#onEnd],
      this.#cluster
        ? [this.#cluster, 'node error', this.#onNodeError]
        : [client, 'close', this.#onClose],
    ];
    for (const [emitter, event, listener] of this.#listeners) listen(emitter, event, listener);
  }

  /** Whether calls can be handed to ioredis now. */
  get ready(): boolean {
    return this.#client.status === 'ready' && this.#wrongDatabase === undefined;
  }

  /** Why a new call would fail at once (nothing sent), or `undefined` when it may wait. */
  refusal(): Refusal | undefined {
    if (this.#wrongDatabase !== undefined) return this.#wrongDatabase;
    if (this.ready) return undefined;
    if (this.#refused !== undefined) {
      return {
        code: ErrorCode.AUTH,
        reason: 'Redis refused the credentials',
        cause: this.#refused,
      };
    }
    if (this.#client.status === 'end') {
      return { code: ErrorCode.CONNECTION_LOST, reason: 'the Redis client has ended' };
    }
    if (this.#unreachable !== undefined) {
      return {
        code: ErrorCode.UNAVAILABLE,
        reason: unreachable(this.#unreachable),
        cause: this.#unreachable,
      };
    }
    return undefined;
  }

  /** Stops listening (the store closed); events after this change nothing. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    for (const [emitter, event, listener] of this.#listeners) unlisten(emitter, event, listener);
  }

  readonly #onReady = (): void => {
    if (this.#wrongDatabase !== undefined) return;
    this.#refused = undefined;
    this.#unreachable = undefined;
    this.#handlers.ready();
  };

  readonly #onConnect = (): void => {
    this.#unreachable = undefined;
  };

  readonly #onError = (error: unknown): void => {
    if (this.#detached) return;
    if (isSelectRefused(error)) {
      this.#wrongDatabase = {
        code: ErrorCode.BACKEND,
        reason: `was refused its database by Redis (${messageOf(error)}; check the url's /db)`,
        cause: sanitizeCause(error),
      };
      this.#handlers.failQueued(this.#wrongDatabase);
      if (this.#stopOnRefusal) this.#client.disconnect();
      return;
    }
    if (isAuthError(error)) {
      this.#onNodeError(error);
      return;
    }
    if (!this.ready && (isConnectionError(error) || isProtocolError(error))) {
      debug('redis: a connection attempt failed (%s); calls reject UNAVAILABLE', messageOf(error));
      this.#unreachable = sanitizeCause(error);
      this.#handlers.failQueued({
        code: ErrorCode.UNAVAILABLE,
        reason: unreachable(error),
        cause: error,
      });
    }
  };

  readonly #onNodeError = (error: unknown): void => {
    if (!isAuthError(error) || this.#detached) return;
    this.#refused = error;
    this.#handlers.failQueued({
      code: ErrorCode.AUTH,
      reason: 'was refused the credentials by Redis',
      cause: error,
    });
    if (this.#stopOnRefusal) this.#client.disconnect();
  };

  readonly #onEnd = (): void => {
    if (this.#detached) return;
    this.#handlers.failQueued(
      this.#refused !== undefined
        ? {
            code: ErrorCode.AUTH,
            reason: 'was refused the credentials by Redis',
            cause: this.#refused,
          }
        : { code: ErrorCode.CONNECTION_LOST, reason: 'was queued when the Redis client ended' },
    );
  };

  readonly #onClose = (): void => {
    if (!this.#detached) this.#handlers.lost();
  };
}
