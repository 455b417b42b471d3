import { LatchkeyError } from '../../core/errors';
import { CAN_MANAGE_API_KEYS, permissionsOf } from '../../core/identity';
import { isUuid } from '../../core/inputs';
import type { ApiKeyView } from '../../core/keys';
import type { Org, OrgRole, Settings } from '../../core/types';
import type { Viewer } from './current-user';

/**
 * Whose keys a page shows and whether the viewer may change them: the viewer's
 * personal keys, or the keys of one org the viewer belongs to.
 */
export interface KeyScope {
  kind: 'personal' | 'org';
  /** The list page, relative to where the pages are mounted. */
  path: string;
  heading: string;
  /** Owner fields passed to createApiKey; an org key records its creator. */
  owner: { userId: string; orgId?: string };
  org: Org | null;
  role: OrgRole | null;
  canManage: boolean;
  /** Shown instead of the create/revoke controls when the viewer cannot manage. */
  readOnlyReason: string | null;
}

export const personalPageAvailable = (s: Settings): boolean =>
  s.personalKeysEnabled && s.personalPageEnabled;
export const orgPageAvailable = (s: Settings): boolean => s.orgKeysEnabled && s.orgPageEnabled;

export function personalScope(viewer: Viewer, settings: Settings): KeyScope {
  if (!personalPageAvailable(settings))
    throw new LatchkeyError('not_found', 'Personal API keys are not available here.');
  return {
    kind: 'personal',
    path: '/keys',
    heading: 'My API keys',
    owner: { userId: viewer.user.id },
    org: null,
    role: null,
    canManage: true,
    readOnlyReason: null,
  };
}

/** An org the viewer is not a member of is "not found", exactly like one that does not exist. */
export function orgScope(viewer: Viewer, settings: Settings, orgId: unknown): KeyScope {
  if (!orgPageAvailable(settings))
    throw new LatchkeyError('not_found', 'Organization API keys are not available here.');
  const entry = isUuid(orgId)
    ? viewer.memberships.find((m) => m.org.id === orgId.toLowerCase())
    : undefined;
  if (!entry) throw LatchkeyError.notFound('Organization');
  const { org, membership } = entry;
  const canManage = permissionsOf(membership.role, settings).includes(CAN_MANAGE_API_KEYS);
  return {
    kind: 'org',
    path: `/orgs/${org.id}/keys`,
    heading: `API keys of ${org.name}`,
    owner: { userId: viewer.user.id, orgId: org.id },
    org,
    role: membership.role,
    canManage,
    readOnlyReason: canManage
      ? null
      : `Your role in ${org.name} (${membership.role}) can see these keys but not create or revoke them. ${whomToAsk(settings.orgKeyManagerRoles)}`,
  };
}

/** "Ask an owner or admin …", naming the roles the settings let manage org keys. */
export function whomToAsk(roles: readonly OrgRole[]): string {
  if (!roles.length)
    return 'No role in an organization can manage its keys here; ask the site’s administrators if you need a key.';
  const names = roles.map((r) => r.toLowerCase());
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  const article = /^[aeiou]/.test(list!) ? 'an' : 'a';
  return `Ask ${article} ${list} of the organization if you need a key.`;
}

/** True only for keys this scope shows: never generic keys, never another owner's. */
export function scopeOwns(scope: KeyScope, key: ApiKeyView): boolean {
  return scope.kind === 'personal'
    ? key.kind === 'personal' && key.userId === scope.owner.userId
    : key.kind === 'org' && key.orgId === scope.owner.orgId;
}

export function requireManager(scope: KeyScope): void {
  if (!scope.canManage) {
    throw new LatchkeyError(
      'forbidden',
      scope.readOnlyReason ?? 'You do not have permission to manage these API keys.',
    );
  }
}
