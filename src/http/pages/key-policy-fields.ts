import type { ScopeCatalog } from '../../core/scopes';
import type { KeyKind } from '../../core/types';

/** One scope checkbox on the create form. */
export interface ScopeChoice {
  name: string;
  description: string;
  checked: boolean;
}

type Body = Record<string, unknown> | undefined;

const listOf = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];

/**
 * The scope checkboxes for a key of `kind`: only scopes that kind may hold, so an org
 * member is never offered one the product keeps from org keys. Ticked as submitted, or
 * as the default set on a fresh form.
 */
export function scopeChoices(catalog: ScopeCatalog, kind: KeyKind, body?: Body): ScopeChoice[] {
  const submitted = body?.scopesShown !== undefined ? listOf(body.scopes) : null;
  const defaults = catalog.heldBy({ kind, scopes: null });
  return catalog.forKind(kind).map((d) => ({
    name: d.name,
    description: d.description,
    checked: (submitted ?? defaults).includes(d.name),
  }));
}

/**
 * The create form's scopes and allowlist as createApiKey takes them: the ticked scopes
 * when the form showed any (none ticked is an empty set), and the allowlist's lines.
 */
export function policyInput(body: Body): { scopes?: string[]; allowedIps?: string[] } {
  const input: { scopes?: string[]; allowedIps?: string[] } = {};
  if (body?.scopesShown !== undefined) input.scopes = listOf(body.scopes);
  const ips = typeof body?.allowedIps === 'string' ? body.allowedIps : '';
  const entries = ips.split(/[\s,]+/).filter((e) => e !== '');
  if (entries.length > 0) input.allowedIps = entries;
  return input;
}
