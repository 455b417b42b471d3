import { z } from 'zod';
import { LatchkeyError } from '../../../core/errors';
import type { ApiKeyIdentity } from '../../../core/identity';
import type { ValidationRequest } from '../../../core/key-policies';
import { scopeNames } from '../../../core/key-policy-inputs';
import type { Validation } from '../../../core/validation-result';
import type { Latchkey } from '../../../latchkey';
import { defineEndpoint, JsonText } from '../endpoint';
import { RateLimitedError } from '../errors';
import { validationWire } from '../wire';
import { apiKeyValidation } from '../wire-schemas';

export const validateBody = z
  .object({
    api_key_token: z.string().min(1, 'must not be empty').max(1024, 'is too long'),
    /** Latchkey extension: the address the key came from, for keys with an IP allowlist. */
    client_ip: z.string().max(100, 'is too long').optional(),
    /** Latchkey extension: the uses of a quota key's quota this validation takes (default 1). */
    cost: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000')
      .optional(),
    /**
     * Latchkey extension: the calling route's scopes (all of `required_scopes`, one of
     * `required_any_scope`). A key lacking them is answered as valid, with its scopes, but
     * spends nothing (rate limit, quota, usage): the caller refuses it.
     */
    required_scopes: scopeNames.optional(),
    required_any_scope: scopeNames.optional(),
  })
  .strict();

export type ValidateBody = z.output<typeof validateBody>;

/** The request facts a key's policies judge; none unless the caller sent any. */
function requestOf(b: ValidateBody): ValidationRequest | undefined {
  const requiredScopes =
    b.required_scopes === undefined && b.required_any_scope === undefined
      ? undefined
      : { all: b.required_scopes ?? [], any: b.required_any_scope ?? [] };
  return b.client_ip === undefined && b.cost === undefined && requiredScopes === undefined
    ? undefined
    : { ip: b.client_ip, cost: b.cost, requiredScopes };
}

/**
 * The validator hands out the same frozen identity for as long as it caches a key,
 * so its answer is serialized once per cache entry rather than once per request.
 */
const serialized = new WeakMap<ApiKeyIdentity, JsonText>();

function serialize(identity: ApiKeyIdentity): JsonText {
  let text = serialized.get(identity);
  if (!text) {
    text = new JsonText(JSON.stringify(validationWire(identity)));
    serialized.set(identity, text);
  }
  return text;
}

/** A valid key answers its identity; an invalid one a 400 naming `api_key_token` and the reason. */
function answer(result: Validation): JsonText {
  if (result.valid) return serialize(result.apiKey);
  if (result.reason === 'rate_limited') {
    throw new RateLimitedError(result.retryAfterSeconds ?? 1, result.message);
  }
  if (result.reason === 'usage_exceeded') {
    throw new RateLimitedError(result.retryAfterSeconds ?? 0, result.message, 'usage_exceeded');
  }
  throw LatchkeyError.field('api_key_token', result.message);
}

/**
 * The two validations' answers, shared by these endpoints and the lean handler in front
 * of Express (../lean-validate.ts): a prepared answer, or a thrown error for the error table.
 */
export function validateNative(lk: Latchkey, b: ValidateBody): JsonText | Promise<JsonText> {
  // Inline: a cached key is answered in the same tick, without a promise.
  const outcome = lk.validateApiKeyInline(b.api_key_token, requestOf(b));
  return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
}

export const validateImported = async (lk: Latchkey, b: ValidateBody): Promise<JsonText> =>
  answer(await lk.validateImportedApiKey(b.api_key_token, requestOf(b)));

export const validateKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/validate',
  operationId: 'validateApiKey',
  summary:
    'Validate an API key (with or without "Bearer ") and return who it belongs to: user for a personal key, org (plus the creating user and their membership) for an org key, metadata for every key',
  tag: 'API keys',
  body: validateBody,
  response: apiKeyValidation,
  errors: [400],
  run: (lk, { body: b }) => validateNative(lk, b),
});

export const validateImportedKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/validate_imported',
  operationId: 'validateImportedApiKey',
  summary: 'Validate a key imported from another system',
  tag: 'API keys',
  body: validateBody,
  response: apiKeyValidation,
  errors: [400],
  run: (lk, { body: b }) => validateImported(lk, b),
});
