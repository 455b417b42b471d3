/** Every error Latchkey raises on purpose, with its HTTP status. One table, one shape. */
export const ERROR_CODES = {
  invalid_input: { status: 400, message: 'The request has invalid fields.' },
  unauthorized: { status: 401, message: 'Authentication is required.' },
  forbidden: { status: 403, message: 'You do not have permission to do this.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That conflicts with something that already exists.' },
  limit_reached: {
    status: 409,
    message: 'The maximum number of active API keys has been reached.',
  },
  kind_disabled: { status: 409, message: 'This kind of API key is turned off.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again later.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Field name → messages, as the REST API returns them (`{ field: ["message"] }`). */
export type FieldErrors = Record<string, string[]>;

export class LatchkeyError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].message,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
    this.name = 'LatchkeyError';
    this.status = ERROR_CODES[code].status;
  }

  /** A bad value in one named field. */
  static field(field: string, message: string): LatchkeyError {
    return new LatchkeyError('invalid_input', `${field}: ${message}`, { [field]: [message] });
  }

  static notFound(what: string): LatchkeyError {
    return new LatchkeyError('not_found', `${what} not found.`);
  }

  /** A field names something that does not exist: still not_found, but naming the field. */
  static fieldNotFound(field: string, message: string): LatchkeyError {
    return new LatchkeyError('not_found', `${field}: ${message}`, { [field]: [message] });
  }
}

export const isLatchkeyError = (e: unknown): e is LatchkeyError => e instanceof LatchkeyError;
