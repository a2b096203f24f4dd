/**
 * Typed errors for the edge and their one stable JSON shape: `{ error: { code, message, details? } }`.
 * Bugs surface as `internal` (500) without leaking internals; bad input as 4xx with a reason.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'config'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  config: 500,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

export class ConfigError extends AppError {
  constructor(message: string, problems: string[]) {
    super('config', message, { problems });
    this.name = 'ConfigError';
  }
}

/** A failure worth retrying (network, 5xx, rate limit, database unavailable). Queue consumers retry these. */
export class TransientError extends Error {
  readonly retryAfterSeconds?: number;
  constructor(message: string, retryAfterSeconds?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } },
    };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } };
}
