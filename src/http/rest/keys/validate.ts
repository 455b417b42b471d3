import { z } from 'zod';
import { LatchkeyError } from '../../../core/errors';
import type { ApiKeyIdentity } from '../../../core/identity';
import type { Validation } from '../../../core/validation-result';
import { defineEndpoint, JsonText } from '../endpoint';
import { RateLimitedError } from '../errors';
import { validationWire } from '../wire';
import { apiKeyValidation } from '../wire-schemas';

const token = z.string().min(1, 'must not be empty').max(1024, 'is too long');
const body = z.object({ api_key_token: token }).strict();
/** A Latchkey extension: `cost`, the uses of a quota key's quota this validation takes. */
const bodyWithCost = z
  .object({ api_key_token: token, cost: z.number().int().min(1).max(1_000_000).optional() })
  .strict();

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
function answer(result: Validation) {
  if (result.valid) return serialize(result.apiKey);
  if (result.reason === 'rate_limited') {
    throw new RateLimitedError(result.retryAfterSeconds ?? 1, result.message);
  }
  if (result.reason === 'usage_exceeded') {
    throw new RateLimitedError(result.retryAfterSeconds ?? 0, result.message, 'usage_exceeded');
  }
  throw LatchkeyError.field('api_key_token', result.message);
}

export const validateKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/validate',
  operationId: 'validateApiKey',
  summary:
    'Validate an API key (with or without "Bearer ") and return who it belongs to: user for a personal key, org (plus the creating user and their membership) for an org key, metadata for every key',
  tag: 'API keys',
  body: bodyWithCost,
  response: apiKeyValidation,
  errors: [400],
  // Inline: a cached key is answered in the same tick, without a promise.
  run: (lk, { body: b }) => {
    const outcome = lk.validateApiKeyInline(b.api_key_token, b.cost);
    return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
  },
});

export const validateImportedKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/validate_imported',
  operationId: 'validateImportedApiKey',
  summary: 'Validate a key imported from another system',
  tag: 'API keys',
  body,
  response: apiKeyValidation,
  errors: [400],
  run: async (lk, { body: b }) => answer(await lk.validateImportedApiKey(b.api_key_token)),
});
