import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyIdentity } from '../core/identity';
import { monotonicSeconds, type Observers } from '../core/observer';
import { parseImportedToken, parseToken } from '../core/token';
import {
  missingScopes,
  lacksScopes,
  type ScopeRequirement,
  type ValidationRequest,
} from '../core/key-policies';
import { NO_SCOPES } from '../core/scopes';
import type { KeyKind } from '../core/types';
import type { Validation } from '../core/validation-result';
import type { Validator } from '../core/validator';
import type { InvalidKeyGuard } from './invalid-key-guard';
import { requirementOf, withRoute } from './route-request';

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
  /** The key must hold every one of these scopes; otherwise 403 insufficient_scope. */
  scopes?: readonly string[];
  /** The key must hold at least one of these scopes; otherwise 403 insufficient_scope. */
  anyScope?: readonly string[];
  /** Uses of a quota key's quota this route takes (default 1); keys without a quota ignore it. */
  cost?: number;
}

/** What the middleware needs from a validator: the in-process one or the remote client. */
export type KeyChecker = Pick<Validator, 'validate' | 'validateImported'> &
  Partial<Pick<Validator, 'validateInline' | 'knownValid'>>;

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
    // RFC 6750 §3.1: a valid token lacking what the resource needs is insufficient_scope.
    res.setHeader(
      'WWW-Authenticate',
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="${result.message}"`,
    );
    res.status(403).json({ error: 'wrong_key_kind', message: result.message });
    return;
  }
  if (result.reason === 'usage_exceeded') {
    if (result.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(result.retryAfterSeconds));
    res.status(429).json({ error: 'usage_exceeded', message: result.message });
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

/** RFC 6750 §3.1: the key is valid but lacks a scope the route needs; `scope` names them. */
function denyScope(res: Response, missing: readonly string[]): void {
  const names = missing.join(' ');
  const message = `The API key lacks the scope${missing.length === 1 ? '' : 's'} this needs: ${missing.join(', ')}.`;
  res.setHeader(
    'WWW-Authenticate',
    `Bearer realm="${REALM}", error="insufficient_scope", scope="${names}"`,
  );
  res.status(403).json({ error: 'insufficient_scope', message, scopes: missing });
}

/** Two Authorization headers: the request is refused, see authorizationOf(). */
const REPEATED = Symbol('repeated Authorization header');

/**
 * The raw credential (`Authorization: Bearer <token>` or the bare `Authorization: <token>`),
 * undefined when there is none, or REPEATED. Two Authorization headers are ambiguous: Node
 * keeps the first, a proxy in front may use another, so such a request is refused rather
 * than authenticated by whichever one wins. One pass over the raw headers answers both,
 * without a property lookup on `req.headers`.
 */
function authorizationOf(req: Request): string | undefined | typeof REPEATED {
  const raw = req.rawHeaders;
  if (raw === undefined) return nonBlank(req.headers.authorization);
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    if (value !== undefined) return REPEATED;
    value = raw[i + 1] ?? '';
  }
  return nonBlank(value);
}

const nonBlank = (header: unknown): string | undefined =>
  typeof header === 'string' && header.trim() !== '' ? header : undefined;

/** The verdict: inline when nothing it needs waits on I/O (see Validator.validateInline). */
function check(
  validator: KeyChecker,
  raw: string,
  opts: RequireApiKeyOptions,
  req: ValidationRequest,
): Validation | Promise<Validation> {
  // The request goes as is: its `ip` getter runs only for a key with an allowlist.
  const outcome = validator.validateInline
    ? validator.validateInline(raw, opts.kind, req)
    : validator.validate(raw, opts.kind, req);
  if (!opts.allowImported) return outcome;
  // An imported token may look native (say, moved from another installation): then the
  // native lookup finds it but refuses it as imported, reporting not_found.
  const orImported = (result: Validation) =>
    !result.valid && (result.reason === 'malformed' || result.reason === 'not_found')
      ? validator.validateImported(raw, opts.kind, req)
      : result;
  return outcome instanceof Promise ? outcome.then(orImported) : orImported(outcome);
}

/** Whether the token passes its checksum (or, where imported keys count, looks like one). */
const wellFormed = (raw: string, opts: RequireApiKeyOptions): boolean =>
  parseToken(raw) !== null || (opts.allowImported === true && parseImportedToken(raw) !== null);

/** For a refused address: a key that passes goes through; any other answer is the refusal. */
function orRefused(
  outcome: Validation | Promise<Validation>,
  refused: Extract<Validation, { valid: false }>,
): Validation | Promise<Validation> {
  const pick = (result: Validation): Validation =>
    result.valid || result.reason === 'wrong_kind' ? result : refused;
  return outcome instanceof Promise ? outcome.then(pick) : pick(outcome);
}

function unavailable(res: Response): void {
  res.setHeader('Retry-After', '5');
  res
    .status(503)
    .json({ error: 'unavailable', message: 'API key validation is temporarily unavailable.' });
}

/** The client address, worked out only when the guard needs it (it costs on every request). */
const ipOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Metrics for the middleware's verdicts: nothing is measured while it has no observers. */
export type MiddlewareObserver = Pick<
  Observers,
  'active' | 'onValidation' | 'onInvalidKeyBrake' | 'onStoreError'
>;

/** When a verdict started, for its latency; -1 when no one observes. */
interface Watch {
  observer: MiddlewareObserver | undefined;
  started: number;
  kind: KeyKind | undefined;
}

const UNWATCHED: Watch = Object.freeze({ observer: undefined, started: -1, kind: undefined });

function report(watch: Watch, result: Validation): void {
  if (watch.started < 0) return;
  const seconds = monotonicSeconds() - watch.started;
  // The labels of labelsOf(), without building an array for every request.
  if (result.valid) watch.observer!.onValidation('valid', result.apiKey.kind, seconds);
  else watch.observer!.onValidation(result.reason, watch.kind ?? 'any', seconds);
}

/** Lets a valid request through; answers an invalid one, held back when its address keeps failing. */
function finish(
  req: Request,
  res: Response,
  next: NextFunction,
  result: Validation,
  guard: InvalidKeyGuard | undefined,
  watch: Watch,
  need: ScopeRequirement | null,
): void {
  report(watch, result);
  if (result.valid) {
    if (need !== null && lacksScopes(result, need))
      return denyScope(res, missingScopes(result.apiKey.scopes ?? NO_SCOPES, need));
    req.apiKey = result.apiKey;
    next();
    return;
  }
  // The address is worked out only when the guard counts failures (it costs on every request).
  const delayMs = guard?.enabled ? guard.recordFailure(ipOf(req), result.reason) : 0;
  if (delayMs > 0) setTimeout(() => deny(res, result, true), delayMs);
  else deny(res, result, true);
}

export function requireApiKey(
  validator: KeyChecker,
  opts: RequireApiKeyOptions = {},
  guard?: InvalidKeyGuard,
  observer?: MiddlewareObserver,
): RequestHandler {
  const need = requirementOf(opts);
  if (opts.cost !== undefined && !(Number.isInteger(opts.cost) && opts.cost >= 1))
    throw new TypeError('requireApiKey: cost must be a whole number of at least 1');
  const cost = opts.cost;
  return (req: Request, res: Response, next: NextFunction) => {
    const watch: Watch = observer?.active
      ? { observer, started: monotonicSeconds(), kind: opts.kind }
      : UNWATCHED;
    // A plain route hands the request itself over; a route with a cost or scopes adds them.
    const asked: ValidationRequest =
      cost === undefined && need === null ? req : withRoute(req, cost, need ?? undefined);
    const raw = authorizationOf(req);
    if (raw === REPEATED)
      return deny(res, { valid: false, reason: 'malformed', message: '' }, true);
    if (raw === undefined)
      return deny(res, { valid: false, reason: 'not_found', message: '' }, false);
    // An address that keeps sending invalid keys is refused, except for keys that may be
    // valid (a client behind the same NAT): one this process already knows, or a well-formed
    // one checked in the store within the address's small per-second read budget.
    const refused = guard?.watching ? guard.refusal(ipOf(req)) : null;
    let outcome: Validation | Promise<Validation>;
    try {
      if (refused) {
        const known = validator.knownValid?.(raw, opts.kind, opts.allowImported, asked) ?? null;
        if (known !== null) outcome = known;
        else if (!wellFormed(raw, opts) || !guard!.allowStoreRead(ipOf(req))) {
          if (watch.started >= 0) observer!.onInvalidKeyBrake();
          return deny(res, refused, true);
        } else outcome = orRefused(check(validator, raw, opts, asked), refused);
      } else outcome = check(validator, raw, opts, asked);
    } catch {
      // A failure inside validation must never turn into a pass or a 500.
      if (watch.started >= 0) observer!.onStoreError('validate');
      return unavailable(res);
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (result) => finish(req, res, next, result, guard, watch, need),
        () => {
          if (watch.started >= 0) observer!.onStoreError('validate');
          unavailable(res);
        },
      );
    } else finish(req, res, next, outcome, guard, watch, need);
  };
}

/** Like requireApiKey(), but a request without an Authorization header passes through unauthenticated. */
export function optionalApiKey(
  validator: KeyChecker,
  opts: RequireApiKeyOptions = {},
  guard?: InvalidKeyGuard,
  observer?: MiddlewareObserver,
): RequestHandler {
  const required = requireApiKey(validator, opts, guard, observer);
  return (req, res, next) =>
    authorizationOf(req) === undefined ? next() : required(req, res, next);
}
