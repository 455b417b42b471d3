import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ERROR_CODES, isLatchkeyError, LatchkeyError, type FieldErrors } from '../../core/errors';
import type { Logger } from '../../logger';

/**
 * Error answers of the backend API, in the shapes PropelAuth's clients parse:
 * any error naming fields is a 400 whose body is `{ field: ["message"] }`; a
 * rate-limited validation is a 429 with `wait_seconds`; everything else is
 * `{ error, message }` with the status of the one error table.
 */

/** A validation refused for going over its rate limit. */
export class RateLimitedError extends LatchkeyError {
  constructor(
    readonly waitSeconds: number,
    message: string,
    /** usage_exceeded: the key's quota is spent; waitSeconds is 0 when it never refills. */
    readonly errorCode: 'rate_limit_exceeded' | 'usage_exceeded' = 'rate_limit_exceeded',
  ) {
    super('rate_limited', message);
  }
}

/**
 * A refusal of a key call (limit reached, kind turned off, already exists, archived).
 * PropelAuth's clients turn only a 400 into their typed exceptions (ApiKeyCreateException
 * and so on, parsing the body as field errors), so it is answered as a 400 naming `field`,
 * keeping the `error` code and `message` in the body.
 */
export class FieldRefusal extends LatchkeyError {
  constructor(
    refused: LatchkeyError,
    readonly field: string,
  ) {
    super(refused.code, refused.message);
  }
}

const REFUSALS: ReadonlySet<string> = new Set(['limit_reached', 'kind_disabled', 'conflict']);

/** A `.catch` handler: rethrows a refusal as a FieldRefusal on `field`, anything else as is. */
export const refusedOn =
  (field: string) =>
  (err: unknown): never => {
    if (isLatchkeyError(err) && REFUSALS.has(err.code) && Object.keys(err.fields).length === 0)
      throw new FieldRefusal(err, field);
    throw err;
  };

/** Library fields whose wire names are not simply their snake_case. */
const WIRE_NAMES: Record<string, string> = {
  expiresAt: 'expires_at_seconds',
  token: 'imported_api_key',
};

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A table lookup that a field named "constructor" or "__proto__" cannot turn into Object's. */
const own = (table: Record<string, string>, name: string): string | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

function wireFields(fields: FieldErrors, overrides: Record<string, string> = {}): FieldErrors {
  const out = Object.create(null) as FieldErrors;
  for (const [name, messages] of Object.entries(fields)) {
    const wire = name
      .split(',')
      .map((part) => own(overrides, part) ?? own(WIRE_NAMES, part) ?? snake(part))
      .join(',');
    (out[wire] ??= []).push(...messages);
  }
  return out;
}

/** An error answer: its status, JSON body and any header beyond the JSON ones. */
export interface ErrorAnswer {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

/**
 * The answer to a LatchkeyError, from the one error table. `fieldNames` maps a route's
 * library field names to its wire names where they are not simply snake_case.
 */
export function errorAnswer(err: LatchkeyError, fieldNames?: Record<string, string>): ErrorAnswer {
  if (err instanceof FieldRefusal) {
    return {
      status: 400,
      body: { [err.field]: [err.message], error: err.code, message: err.message },
    };
  }
  if (Object.keys(err.fields).length > 0) {
    const fields = wireFields(err.fields, fieldNames);
    if (err.code === 'not_found') {
      // An id naming nothing stays a 404; its message names the field as the client sent it.
      const message = Object.entries(fields)
        .map(([f, m]) => `${f}: ${m.join(', ')}`)
        .join('; ');
      return { status: 404, body: { error: err.code, message } };
    }
    return { status: 400, body: fields };
  }
  if (err instanceof RateLimitedError) {
    const retry = err.errorCode === 'rate_limit_exceeded' || err.waitSeconds > 0;
    return {
      status: 429,
      ...(retry && { headers: { 'Retry-After': String(Math.max(1, Math.ceil(err.waitSeconds))) } }),
      body: {
        wait_seconds: err.waitSeconds,
        user_facing_error: err.message,
        error_code: err.errorCode,
      },
    };
  }
  return { status: err.status, body: { error: err.code, message: err.message } };
}

/** What the backend API answers to an error nothing else caught. */
export const INTERNAL_ERROR_BODY = { error: 'internal', message: ERROR_CODES.internal.message };

function send(res: Response, err: LatchkeyError): void {
  const answer = errorAnswer(err, res.locals.fieldNames as Record<string, string> | undefined);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.status(answer.status).json(answer.body);
}

/** Turns body-parser failures into the error table's terms. */
export function fromBodyParser(err: { status?: unknown; type?: unknown }): LatchkeyError | null {
  if (typeof err?.status !== 'number' || err.status < 400 || err.status >= 500) return null;
  if (err.type === 'entity.too.large') return new LatchkeyError('payload_too_large');
  if (err.type === 'entity.parse.failed') return LatchkeyError.field('body', 'is not valid JSON');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return LatchkeyError.field('body', 'must be UTF-8 JSON');
  }
  return new LatchkeyError('invalid_input', 'The request body could not be read.', {
    body: ['could not be read'],
  });
}

export function restErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isLatchkeyError(err)) {
      // A 503 from the store: the caller sees `unavailable`, the operator the cause.
      if (err.status >= 500)
        logger.error({ err: err.cause ?? err, method: req.method, path: req.path }, err.message);
      return send(res, err);
    }
    const known = fromBodyParser(err);
    if (known) return send(res, known);
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error in backend API');
    res.status(500).json(INTERNAL_ERROR_BODY);
  };
}

export const restNotFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', message: 'No such route in the backend API.' });
};
