import { IpAllowlist } from './ip-allowlist';
import { NO_SCOPES } from './scopes';
import type { FailureReason, Validation } from './validation-result';

/**
 * What the caller of a validation knows about the request: its client address (for keys
 * with an IP allowlist) and its cost (uses of a quota key's quota it takes; 1 when omitted).
 */
export interface ValidationRequest {
  readonly ip?: string | undefined;
  readonly cost?: number | undefined;
  /**
   * The route's scope requirement. A key that lacks it is answered as the pass it is but
   * not counted (no rate-limit slot, quota use or usage count): the caller refuses it
   * (requireApiKey answers 403 insufficient_scope), and a refused call spends nothing.
   */
  readonly requiredScopes?: ScopeRequirement | undefined;
}

/**
 * The per-key checks beyond the key's own state, compiled once per lookup. A key without an
 * allowlist compiles to null, so a plain key costs one null check.
 */
export type KeyPolicy = IpAllowlist;

export const policyOf = (key: { allowedIps: readonly string[] | null }): KeyPolicy | null =>
  key.allowedIps === null || key.allowedIps.length === 0 ? null : new IpAllowlist(key.allowedIps);

/** Why the policy refuses this request, or null when it lets it through. */
export const refusalOf = (
  policy: KeyPolicy,
  request: ValidationRequest | undefined,
): FailureReason | null => (policy.allows(request?.ip) ? null : 'ip_not_allowed');

/** What a route requires: every one of `all`, and at least one of `any` (when given). */
export interface ScopeRequirement {
  all: readonly string[];
  any: readonly string[];
}

/** Whether a passing verdict lacks the scopes `need` names (none named: it does not). */
export const lacksScopes = (
  passed: Validation,
  need: ScopeRequirement | null | undefined,
): boolean =>
  need !== undefined &&
  need !== null &&
  passed.valid &&
  !satisfies(passed.apiKey.scopes ?? NO_SCOPES, need);

/** Whether the key holds what the route requires; allocates nothing, for every request. */
export function satisfies(held: readonly string[], need: ScopeRequirement): boolean {
  for (const s of need.all) if (!held.includes(s)) return false;
  if (need.any.length === 0) return true;
  for (const s of need.any) if (held.includes(s)) return true;
  return false;
}

/** The scopes the key lacks for the route ([] when it has what it needs). */
export function missingScopes(held: readonly string[], need: ScopeRequirement): string[] {
  const missing = need.all.filter((s) => !held.includes(s));
  if (need.any.length > 0 && !need.any.some((s) => held.includes(s))) missing.push(...need.any);
  return missing;
}
