import { StateError } from '@statewire/core';

/** An HTTP status, extra headers and a JSON error body for a failure. */
export interface HttpFailure {
  status: number;
  headers: Record<string, string>;
  closeConnection: boolean;
  body: { error: { code: string; message: string } };
}

/** Extra response details of an {@link HttpError}. */
export interface HttpErrorOptions {
  /** Response headers to add, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  /** Close the connection after the response (the rest of the request is not read). */
  closeConnection?: boolean;
}

/**
 * A request the demo refuses, with its status (400 malformed, 404 missing, 405 method,
 * 413 too large).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly closeConnection: boolean;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.closeConnection = options.closeConnection ?? false;
  }
}

const statusByCode: Record<string, number> = {
  INVALID_KEY: 400,
  INVALID_VALUE: 400,
  WRONG_TYPE: 409,
  // A conditional write (If-Match, If-None-Match) found another version: nothing written.
  CONFLICT: 412,
  NOT_SUPPORTED: 501,
  TOO_LARGE: 413,
  TIMEOUT: 503,
  UNAVAILABLE: 503,
  CONNECTION_LOST: 503,
  OVERLOADED: 503,
  CLOSED: 503,
};

/** Maps any failure to a response; never leaks a stack trace. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      headers: error.headers,
      closeConnection: error.closeConnection,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  if (StateError.is(error)) {
    return {
      status: statusByCode[error.code] ?? 500,
      headers: {},
      closeConnection: false,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  return {
    status: 500,
    headers: {},
    closeConnection: false,
    body: { error: { code: 'INTERNAL', message: 'internal error' } },
  };
}
