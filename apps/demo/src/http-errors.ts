import { StateError } from '@statewire/core';

/** An HTTP status and a JSON error body for a failure. */
export interface HttpFailure {
  status: number;
  body: { error: { code: string; message: string } };
}

/** A request the demo refuses, with its status (400 malformed, 404 missing, 413 too large). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const statusByCode: Record<string, number> = {
  INVALID_KEY: 400,
  INVALID_VALUE: 400,
  WRONG_TYPE: 409,
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
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  }
  if (StateError.is(error)) {
    return {
      status: statusByCode[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}
