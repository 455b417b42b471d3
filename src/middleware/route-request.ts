import type { Request } from 'express';
import type { ScopeRequirement, ValidationRequest } from '../core/key-policies';

/** What the options require of a key's scopes; null when nothing, so plain routes skip the check. */
export function requirementOf(opts: {
  scopes?: readonly string[];
  anyScope?: readonly string[];
}): ScopeRequirement | null {
  const all = opts.scopes ?? [];
  const any = opts.anyScope ?? [];
  return all.length === 0 && any.length === 0 ? null : { all: [...all], any: [...any] };
}

/**
 * The request with a route's cost and scope requirement (so a key refused for its scopes
 * spends nothing); `ip` is still worked out only when a key asks for it.
 */
export const withRoute = (
  req: Request,
  cost: number | undefined,
  requiredScopes: ScopeRequirement | undefined,
): ValidationRequest => ({
  get ip() {
    return req.ip;
  },
  cost,
  requiredScopes,
});
