import { ErrorCode, StateError } from '@statewire/core';
import { type OpCode, opNames, writeOps } from '@statewire/core/transport';

/** How a failed call went: it decides `maybeApplied` for writes. */
export interface FailureContext {
  /** The call's operation. */
  op: OpCode;
  /**
   * Part of the call may have been applied even when Redis refused a command: a multi-key
   * write split over several commands (`setMany`, `deleteMany`, `clear`).
   */
  partial: boolean;
}

const CONNECTION_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable",
  'None of startup nodes is available',
  'Cluster is ended.',
  'Cluster is disconnected.',
  'Command aborted due to connection close',
  'All sentinels are unreachable',
];
const CONNECTION_ERROR_NAMES = new Set([
  'AbortError',
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
  // A Unix socket path (`redisOptions.path`) that is missing, not a socket, or not ours.
  'ENOENT',
  'ENOTSOCK',
  'EACCES',
]);

/** Whether a Redis error reply refuses the credentials (`WRONGPASS`, `NOAUTH`). */
export function isAuthError(error: unknown): boolean {
  const message = messageOf(error);
  if (message.startsWith('WRONGPASS') || message.startsWith('NOAUTH')) return true;
  // A Cluster reports the last node's error inside its own.
  const last = (error as { lastNodeError?: unknown } | null)?.lastNodeError;
  return last !== undefined && last !== error && isAuthError(last);
}

/** Whether an ioredis error means the connection was lost or never made. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONNECTION_ERROR_NAMES.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.some((text) => error.message.startsWith(text));
}

/**
 * Whether an ioredis error means the server does not speak the Redis protocol: its parser
 * met bytes no Redis reply starts with (an HTTP server or a proxy answering, a TLS port
 * read as plain text).
 */
export function isProtocolError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'ParserError' || /^(Unknown RESP type|Protocol error)/.test(error.message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : '';
}

// Redis replies never echo values, but keep messages short and on one line.
function summary(error: unknown): string {
  const line = messageOf(error).split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/**
 * A copy of an ioredis error without the command's arguments: ioredis attaches
 * `command.args` to reply errors, which hold values and, for `HELLO`/`AUTH`, the password.
 * Causes are kept (the style guide asks for it), but never with those.
 */
export function sanitizeCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const clean = new Error(error.message);
  clean.name = error.name;
  clean.stack = error.stack;
  const source = error as Error & {
    code?: unknown;
    errno?: unknown;
    syscall?: unknown;
    command?: { name?: unknown };
    lastNodeError?: unknown;
  };
  const target = clean as Error & Record<string, unknown>;
  if (source.code !== undefined) target.code = source.code;
  if (source.errno !== undefined) target.errno = source.errno;
  if (source.syscall !== undefined) target.syscall = source.syscall;
  if (source.command && typeof source.command.name === 'string')
    target.command = { name: source.command.name };
  if (source.lastNodeError !== undefined && source.lastNodeError !== error)
    target.lastNodeError = sanitizeCause(source.lastNodeError);
  return clean;
}

/**
 * Maps an error from ioredis or Redis to the `StateError` a call rejects with:
 *
 * | Redis / ioredis | code |
 * |---|---|
 * | `WRONGPASS`, `NOAUTH` | `AUTH` |
 * | `NOPERM` | `NOPERM` |
 * | `WRONGTYPE`, `ERR value is not an integer…` (INCRBY of a non-integer) | `WRONG_TYPE` |
 * | our script's range check | `INVALID_VALUE` |
 * | connection closed, reset, aborted, retries exhausted | `CONNECTION_LOST` |
 * | any other error reply (`OOM`, `LOADING`, `READONLY`, `CLUSTERDOWN`, …) | `BACKEND` |
 *
 * A write gets `maybeApplied: true` when the connection was lost after it was sent (its
 * reply is unknown), or when part of a multi-command write may have applied. Any other
 * failure of a single command is `maybeApplied: false`: Redis applies nothing of a command
 * it answers with an error (`OOM`, `READONLY`, `CLUSTERDOWN`, `TRYAGAIN`, `NOSCRIPT`, a
 * `MOVED` left unfollowed after too many redirections …), and an error raised before
 * the command left (a malformed command) sent nothing.
 */
export function toStateError(error: unknown, context: FailureContext): StateError {
  if (StateError.is(error)) return error;
  const write = writeOps.has(context.op);
  const name = opNames[context.op];
  const message = messageOf(error);
  const cause = sanitizeCause(error);
  const refused = (code: StateError['code'], what: string): StateError =>
    new StateError(code, `redis: ${name}() ${what}: ${summary(error)}`, {
      cause,
      ...(write ? { maybeApplied: context.partial } : {}),
    });
  if (isAuthError(error)) return refused(ErrorCode.AUTH, 'was refused the credentials');
  if (message.startsWith('NOPERM')) return refused(ErrorCode.NOPERM, 'lacks a permission');
  if (message.startsWith('STATEWIRE_RANGE'))
    return refused(ErrorCode.INVALID_VALUE, 'would leave the safe integer range');
  if (
    message.startsWith('WRONGTYPE') ||
    message.includes('not an integer or out of range') ||
    message.includes('increment or decrement would overflow')
  ) {
    return refused(ErrorCode.WRONG_TYPE, 'found a value of the wrong type');
  }
  if (isConnectionError(error)) {
    return new StateError(
      ErrorCode.CONNECTION_LOST,
      `redis: ${name}() lost its connection to Redis: ${summary(error)}`,
      { cause, ...(write ? { maybeApplied: true } : {}) },
    );
  }
  return new StateError(ErrorCode.BACKEND, `redis: ${name}() failed: ${summary(error)}`, {
    cause,
    ...(write ? { maybeApplied: context.partial } : {}),
  });
}
