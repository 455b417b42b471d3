import type { KeyForValidation, KeyToValidate } from './store';
import {
  deepFreeze,
  orgKeyIdentity,
  userInfo,
  type ApiKeyIdentity,
  type PersonalKeyIdentity,
} from './identity';
import { policyOf, type KeyPolicy } from './key-policies';
import type { ScopeCatalog } from './scopes';
import type { Settings } from './types';
import type { FailureReason, Validation } from './validation-result';

/** What one store lookup learned about a digest: cached as a whole, judged on every request. */
export interface Resolved {
  key: KeyToValidate | null;
  /** The passing verdict with the caller's identity, built once: a cached pass allocates nothing. */
  passed: Validation | null;
  /** A reason the owner makes the key fail (disabled user, deleted org...). */
  ownerFailure: FailureReason | null;
  /** The key's allowlist, compiled; null when it has none. */
  policy: KeyPolicy | null;
}

export const NOT_FOUND: Resolved = Object.freeze({
  key: null,
  passed: null,
  ownerFailure: null,
  policy: null,
});

/** What the owner makes of the key; the key's own state is judged on every request. */
export function resolveLookup(
  { key, user, org, memberships }: KeyForValidation,
  settings: Settings,
  catalog: ScopeCatalog,
): Resolved {
  const apiKeyId = key.id;
  const metadata = deepFreeze(key.metadata);
  // Without declared scopes the identity carries none, as before scopes existed.
  const scopes = catalog.isEmpty ? undefined : Object.freeze([...catalog.heldBy(key, settings)]);
  const metered = key.remaining !== undefined;
  const held =
    scopes || metered ? { ...(scopes && { scopes }), ...(metered && { metered }) } : undefined;
  if (key.kind === 'generic') {
    return resolved(key, Object.freeze({ kind: 'generic', apiKeyId, metadata, ...held }));
  }
  if (key.kind === 'personal') {
    if (!user) return resolved(key, null, 'user_deleted');
    const ownerFailure = !user.enabled ? 'user_disabled' : user.locked ? 'user_locked' : null;
    const identity: PersonalKeyIdentity = Object.freeze({
      kind: 'personal',
      apiKeyId,
      metadata,
      ...held,
      user: userInfo(user, memberships, settings),
    });
    return resolved(key, identity, ownerFailure);
  }
  if (!org) return resolved(key, null, 'org_deleted');
  return resolved(key, orgKeyIdentity(apiKeyId, metadata, held, org, user, memberships, settings));
}

/**
 * A lookup's outcome, frozen (the identity comes frozen from its builders): it is cached
 * and shared by every request that presents the key (and the result is frozen with the
 * cache off too, as documented).
 */
function resolved(
  key: KeyToValidate,
  identity: ApiKeyIdentity | null,
  ownerFailure: FailureReason | null = null,
): Resolved {
  if (key.rateLimit) Object.freeze(key.rateLimit);
  const passed: Validation | null = identity && Object.freeze({ valid: true, apiKey: identity });
  const policy = policyOf(key);
  return Object.freeze({ key: Object.freeze(key), passed, ownerFailure, policy });
}
