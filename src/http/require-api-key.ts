import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyIdentity } from '../core/identity';
import type { KeyKind } from '../core/types';
import type { Validation } from '../core/validation-result';
import type { Validator } from '../core/validator';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by requireApiKey()/optionalApiKey() when the request carried a valid key. */
      apiKey?: ApiKeyIdentity;
    }
  }
}

export interface RequireApiKeyOptions {
  /** Accept only this kind; a valid key of another kind gets 403. */
  kind?: KeyKind;
  /** Also accept keys imported from another system (their tokens carry no checksum). */
  allowImported?: boolean;
}

const REALM = 'latchkey';

/**
 * On the wire every invalid key looks the same (so callers cannot probe which
 * keys exist), except that an expired key may say so.
 */
function deny(
  res: Response,
  result: Extract<Validation, { valid: false }>,
  hadCredentials: boolean,
): void {
  if (result.reason === 'wrong_kind') {
    res.status(403).json({ error: 'wrong_key_kind', message: result.message });
    return;
  }
  if (result.reason === 'rate_limited') {
    res.setHeader('Retry-After', String(result.retryAfterSeconds ?? 1));
    res.status(429).json({ error: 'rate_limited', message: result.message });
    return;
  }
  const message = !hadCredentials
    ? 'An API key is required.'
    : result.reason === 'expired'
      ? 'The API key has expired.'
      : 'The API key is not valid.';
  const challenge = hadCredentials
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="${message}"`
    : `Bearer realm="${REALM}"`;
  res.setHeader('WWW-Authenticate', challenge);
  res.status(401).json({ error: hadCredentials ? 'invalid_api_key' : 'missing_api_key', message });
}

/** The raw credential: `Authorization: Bearer <token>` or the bare `Authorization: <token>`. */
export function credentialOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.trim() !== '' ? header : undefined;
}

/** The verdict, inline when it needs no store read (see Validator.validateInline). */
function check(
  validator: Validator,
  raw: string,
  opts: RequireApiKeyOptions,
): Validation | Promise<Validation> {
  const outcome = validator.validateInline(raw, opts.kind);
  if (!opts.allowImported) return outcome;
  const orImported = (result: Validation) =>
    !result.valid && result.reason === 'malformed'
      ? validator.validateImported(raw, opts.kind)
      : result;
  return outcome instanceof Promise ? outcome.then(orImported) : orImported(outcome);
}

function unavailable(res: Response): void {
  res.setHeader('Retry-After', '5');
  res
    .status(503)
    .json({ error: 'unavailable', message: 'API key validation is temporarily unavailable.' });
}

export function requireApiKey(
  validator: Validator,
  opts: RequireApiKeyOptions = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = credentialOf(req);
    if (raw === undefined)
      return deny(res, { valid: false, reason: 'not_found', message: '' }, false);
    const pass = (result: Validation) => {
      if (!result.valid) return deny(res, result, true);
      req.apiKey = result.apiKey;
      next();
    };
    let outcome: Validation | Promise<Validation>;
    try {
      outcome = check(validator, raw, opts);
    } catch {
      // A failure inside validation must never turn into a pass or a 500.
      return unavailable(res);
    }
    if (outcome instanceof Promise) outcome.then(pass, () => unavailable(res));
    else pass(outcome);
  };
}

/** Like requireApiKey(), but a request without an Authorization header passes through unauthenticated. */
export function optionalApiKey(
  validator: Validator,
  opts: RequireApiKeyOptions = {},
): RequestHandler {
  const required = requireApiKey(validator, opts);
  return (req, res, next) => (credentialOf(req) === undefined ? next() : required(req, res, next));
}
