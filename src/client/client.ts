import type { RequestHandler } from 'express';
import {
  deepFreeze,
  type ApiKeyIdentity,
  type OrgKeyIdentity,
  type PersonalKeyIdentity,
} from '../core/identity';
import { FreshCache } from '../core/fresh-cache';
import type { ValidationRequest } from '../core/key-policies';
import { digestToken, parseImportedToken, parseToken } from '../core/token';
import type { KeyKind } from '../core/types';
import { failure, type Validation } from '../core/validation-result';
import {
  optionalApiKey,
  requireApiKey,
  type KeyChecker,
  type RequireApiKeyOptions,
} from '../middleware/require-api-key';
import { failureReasonOf, identityOf } from './decode';
import { rollKeyOverHttp } from './key-roll';
import { LatchkeyClientError, Transport } from './transport';

export interface LatchkeyClientOptions {
  /** Where the Latchkey server runs, e.g. "https://auth.example.com". */
  url: string;
  /** An integration key (lki_…) made in the admin dashboard or with the CLI. */
  integrationKey: string;
  /** How long a validation answer is reused (default 5000 ms; 0 turns the cache off). */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** Longest wait for the server per validation, connection included (default 2000 ms). */
  timeoutMs?: number;
  /** Kept-alive connections to the server at most (default 64). */
  maxSockets?: number;
}

export const DEFAULT_CLIENT_CACHE_TTL_MS = 5_000;
export const DEFAULT_CLIENT_TIMEOUT_MS = 2_000;

const API = '/api/backend/v1/end_user_api_keys';

/**
 * Validates API keys against a Latchkey server from another process, with the
 * same results and the same middleware as the in-process library. Answers are
 * cached briefly (a revoked key may pass for up to `cacheTtlMs`); a server that
 * is down, slow or refuses the integration key makes validation throw, and the
 * middleware answer 503: never a hang, never a pass.
 */
export function createLatchkeyClient(options: LatchkeyClientOptions) {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error('createLatchkeyClient: url must be http(s)');
  }
  if (typeof options.integrationKey !== 'string' || options.integrationKey.trim() === '') {
    throw new Error('createLatchkeyClient: integrationKey is required');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  const transport = new Transport(
    base,
    options.integrationKey.trim(),
    timeoutMs,
    options.maxSockets ?? 64,
  );
  const ttl = options.cacheTtlMs ?? DEFAULT_CLIENT_CACHE_TTL_MS;
  const maxEntries = options.cacheMaxEntries ?? 10_000;
  // Keyed by digest: the cache holds no usable token. Native and imported answers
  // apart, as the server validates them apart.
  const newCache = () => (ttl > 0 ? new FreshCache<Validation>(maxEntries, ttl) : null);
  const caches = { native: newCache(), imported: newCache() };

  async function ask(
    token: string,
    imported: boolean,
    request: ValidationRequest | undefined,
  ): Promise<Validation> {
    const ip = request?.ip;
    const cost = request?.cost ?? 1;
    const need = request?.requiredScopes;
    const res = await transport.post(imported ? `${API}/validate_imported` : `${API}/validate`, {
      api_key_token: token,
      ...(ip === undefined ? {} : { client_ip: ip }),
      ...(cost === 1 ? {} : { cost }),
      // The route's scopes: a key the route refuses for them spends nothing on the server.
      ...(need && { required_scopes: need.all, required_any_scope: need.any }),
    });
    if (res.status === 200) return deepFreeze({ valid: true, apiKey: identityOf(res.body) });
    if (res.status === 400) return failure(failureReasonOf(res.body));
    if (res.status === 429) {
      const body = res.body as { wait_seconds?: unknown; error_code?: unknown } | null;
      const wait = body?.wait_seconds;
      if (body?.error_code === 'usage_exceeded')
        return failure('usage_exceeded', typeof wait === 'number' && wait > 0 ? wait : undefined);
      return failure('rate_limited', typeof wait === 'number' && wait > 0 ? Math.ceil(wait) : 1);
    }
    if (res.status === 401) {
      throw new LatchkeyClientError(
        'unauthorized',
        'The Latchkey server refused the integration key',
      );
    }
    throw new LatchkeyClientError('server', `Latchkey answered ${res.status}`);
  }

  /** The kind check comes last, as in the in-process validator. */
  const ofKind = (result: Validation, expected?: KeyKind): Validation =>
    result.valid && expected && result.apiKey.kind !== expected ? failure('wrong_kind') : result;

  /** A cached answer as is, in the same tick; otherwise the server's, cached for next time. */
  function lookup(
    token: string,
    imported: boolean,
    expected: KeyKind | undefined,
    request: ValidationRequest | undefined,
  ): Validation | Promise<Validation> {
    const ip = request?.ip;
    // A route with a cost asks every time: a cached pass would spend nothing of a quota.
    const cache = (request?.cost ?? 1) !== 1 ? null : imported ? caches.imported : caches.native;
    if (!cache) return ask(token, imported, request).then((result) => ofKind(result, expected));
    // A key with an IP allowlist answers by address: answers are kept per address.
    const digest = ip === undefined ? digestToken(token) : `${digestToken(token)} ${ip}`;
    const askedAt = Date.now();
    const cached = cache.get(digest, askedAt);
    if (cached) return ofKind(cached, expected);
    return ask(token, imported, request).then((result) => {
      // A rate-limit answer is about this moment only.
      // A refusal that lifts by itself (a rate limit, a spent quota) is asked again next time.
      // A pass of a metered key is not reused: each validation must spend from its quota.
      if (
        result.valid
          ? !result.apiKey.metered
          : result.reason !== 'rate_limited' && result.reason !== 'usage_exceeded'
      )
        cache.set(digest, result, askedAt);
      return ofKind(result, expected);
    });
  }

  function validateInline(
    raw: unknown,
    expected?: KeyKind,
    request?: ValidationRequest,
  ): Validation | Promise<Validation> {
    const token = parseToken(raw);
    if (token === null) return failure('malformed');
    return lookup(token, false, expected, request);
  }

  // requireApiKey() uses validateInline, so a cached answer costs no promise.
  const checker: Required<Omit<KeyChecker, 'knownValid'>> = {
    validateInline,
    async validate(
      raw: unknown,
      expected?: KeyKind,
      request?: ValidationRequest,
    ): Promise<Validation> {
      return validateInline(raw, expected, request);
    },
    async validateImported(
      raw: unknown,
      expected?: KeyKind,
      request?: ValidationRequest,
    ): Promise<Validation> {
      const token = parseImportedToken(raw);
      if (token === null) return failure('malformed');
      return lookup(token, true, expected, request);
    },
  };

  /** `request.ip` is the caller's client address, for keys with an IP allowlist. */
  return {
    validateApiKey: (
      token: unknown,
      request?: ValidationRequest,
    ): Promise<Validation<ApiKeyIdentity>> => checker.validate(token, undefined, request),
    validatePersonalApiKey: (token: unknown, request?: ValidationRequest) =>
      checker.validate(token, 'personal', request) as Promise<Validation<PersonalKeyIdentity>>,
    validateOrgApiKey: (token: unknown, request?: ValidationRequest) =>
      checker.validate(token, 'org', request) as Promise<Validation<OrgKeyIdentity>>,
    validateImportedApiKey: (
      token: unknown,
      request?: ValidationRequest,
    ): Promise<Validation<ApiKeyIdentity>> => checker.validateImported(token, undefined, request),
    requireApiKey: (opts: RequireApiKeyOptions = {}): RequestHandler =>
      requireApiKey(checker, opts),
    optionalApiKey: (opts: RequireApiKeyOptions = {}): RequestHandler =>
      optionalApiKey(checker, opts),
    /** Forgets every cached answer (e.g. right after revoking a key). */
    clearCache: (): void => {
      caches.native?.clear();
      caches.imported?.clear();
    },
    /** Gives a key a new token on the server; the old one validates for the grace period. */
    rollApiKey: (apiKeyId: string, options?: { expireOldInSeconds?: number }) =>
      rollKeyOverHttp(transport, API, apiKeyId, options),
    /** Closes kept-alive connections. */
    close: (): void => transport.close(),
  };
}

export type LatchkeyClient = ReturnType<typeof createLatchkeyClient>;
