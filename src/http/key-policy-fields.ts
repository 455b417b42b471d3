import type { ScopeCatalog, ScopeLimits } from '../core/scopes';
import type { KeyKind } from '../core/types';

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
 * The scope checkboxes for a key of `kind`: only scopes that kind may hold (as declared,
 * and as the admin's limits allow), so an org member is never offered one kept from org
 * keys. Ticked as submitted, or as `held` (the default set when not given) on a fresh form.
 */
export function scopeChoices(
  catalog: ScopeCatalog,
  kind: KeyKind,
  limits: ScopeLimits,
  body?: Body,
  held: readonly string[] = catalog.heldBy({ kind, scopes: null }, limits),
): ScopeChoice[] {
  const submitted = body?.scopesShown !== undefined ? listOf(body.scopes) : null;
  return catalog.forKind(kind, limits).map((d) => ({
    name: d.name,
    description: d.description,
    checked: (submitted ?? held).includes(d.name),
  }));
}

/**
 * The create form's scopes and allowlist as createApiKey takes them: the ticked scopes
 * when the form showed any (none ticked is an empty set), and the allowlist's lines.
 */
export function policyInput(body: Body): { scopes?: string[]; allowedIps?: string[] } {
  const input: { scopes?: string[]; allowedIps?: string[] } = {};
  if (body?.scopesShown !== undefined) input.scopes = listOf(body.scopes);
  const entries = allowlistLines(body);
  if (entries.length > 0) input.allowedIps = entries;
  return input;
}

/** The allowlist field's entries, split on lines, spaces or commas. */
export const allowlistLines = (body: Body): string[] =>
  (typeof body?.allowedIps === 'string' ? body.allowedIps : '')
    .split(/[\s,]+/)
    .filter((e) => e !== '');

/** What the dashboard's edit form changes: scopes and allowlist, only when they differ. */
export function policyPatch(
  body: Body,
  key: { scopes: readonly string[]; allowedIps: readonly string[] | null },
): { scopes?: string[]; allowedIps?: string[] | null } {
  const patch: { scopes?: string[]; allowedIps?: string[] | null } = {};
  const { scopes } = policyInput(body);
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((s) => b.includes(s));
  if (scopes && !sameSet(scopes, key.scopes)) patch.scopes = scopes;
  if (typeof body?.allowedIps === 'string') {
    const entries = allowlistLines(body);
    if (entries.join('\n') !== (key.allowedIps ?? []).join('\n'))
      patch.allowedIps = entries.length ? entries : null;
  }
  return patch;
}
