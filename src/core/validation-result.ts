import type {
  ApiKeyIdentity,
  GenericKeyIdentity,
  OrgKeyIdentity,
  PersonalKeyIdentity,
} from './identity';

/** Why a key did not validate. Callers see these as values, never as exceptions. */
export const FAILURE_REASONS = {
  malformed: 'The API key is malformed.',
  not_found: 'The API key is not valid.',
  archived: 'The API key has been revoked.',
  expired: 'The API key has expired.',
  kind_disabled: 'This kind of API key is turned off.',
  user_disabled: "The key's user is disabled.",
  user_locked: "The key's user is locked.",
  user_deleted: "The key's user no longer exists.",
  org_deleted: "The key's organization no longer exists.",
  wrong_kind: 'This kind of API key is not accepted here.',
  rate_limited: 'Too many requests with this API key.',
  ip_not_allowed: 'The API key may not be used from this address.',
  usage_exceeded: 'This API key has used up its quota.',
} as const;

export type FailureReason = keyof typeof FAILURE_REASONS;

/** A `rate_limited` failure's message names the allowance that ran out. */
export const RATE_LIMITED_MESSAGES = {
  key: FAILURE_REASONS.rate_limited,
  user: "Too many requests with this user's API keys (the user's allowance ran out).",
  org: "Too many requests with this organization's API keys (the org's allowance ran out).",
} as const;

export type Validation<T extends ApiKeyIdentity = ApiKeyIdentity> =
  | { valid: true; apiKey: T }
  | { valid: false; reason: FailureReason; message: string; retryAfterSeconds?: number };

export type PersonalValidation = Validation<PersonalKeyIdentity>;
export type OrgValidation = Validation<OrgKeyIdentity>;
export type GenericValidation = Validation<GenericKeyIdentity>;

/** The failure for a validation that the `allowance` rate limit refused. */
export function rateLimited(
  allowance: keyof typeof RATE_LIMITED_MESSAGES,
  retryAfterSeconds: number,
): { valid: false; reason: 'rate_limited'; message: string; retryAfterSeconds: number } {
  return {
    valid: false,
    reason: 'rate_limited',
    message: RATE_LIMITED_MESSAGES[allowance],
    retryAfterSeconds,
  };
}

export function failure(
  reason: FailureReason,
  retryAfterSeconds?: number,
): { valid: false; reason: FailureReason; message: string; retryAfterSeconds?: number } {
  return retryAfterSeconds === undefined
    ? { valid: false, reason, message: FAILURE_REASONS[reason] }
    : { valid: false, reason, message: FAILURE_REASONS[reason], retryAfterSeconds };
}
