import type { Core } from './context';
import { LatchkeyError } from './errors';
import { pageOf, type PageRequest } from './paging';
import type { AuditNameIds, Paged } from './store';
import type { AuditEvent } from './types';

/** Reading the audit log every management function writes to. */

export interface AuditFilter {
  action?: string;
  targetType?: AuditEvent['targetType'];
  targetId?: string;
  /** "user:<id>", "admin:<id>", "integration:<id>", "cli", "system" or "library". */
  actor?: string;
  /**
   * Ids (of a key, user, org or admin) each event must be about: as its target, or as one
   * side of a membership it changed.
   */
  involving?: string[];
}

/** The names of what a page of events points at, by id; an id missing here is gone. */
export interface AuditNames {
  users: Record<string, string>;
  orgs: Record<string, string>;
  keys: Record<string, { displayName: string; hint: string }>;
  admins: Record<string, string>;
  integrationKeys: Record<string, string>;
}

const TARGET_TYPES: readonly unknown[] = ['key', 'user', 'org', 'membership', 'settings'];
const MAX_INVOLVING = 5;

function checkedInvolving(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > MAX_INVOLVING ||
    !value.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 320)
  )
    throw LatchkeyError.field('involving', `must be a list of at most ${MAX_INVOLVING} ids`);
  return value as string[];
}

/** Events newest first, each filter an exact match. */
export async function listAuditEvents(
  core: Core,
  filter: AuditFilter = {},
  page?: PageRequest,
): Promise<Paged<AuditEvent>> {
  const f = (filter ?? {}) as Record<string, unknown>;
  for (const name of ['action', 'targetId', 'actor']) {
    const value = f[name];
    if (value !== undefined && (typeof value !== 'string' || value.length > 320))
      throw LatchkeyError.field(name, 'must be text of at most 320 characters');
  }
  if (f.targetType !== undefined && !TARGET_TYPES.includes(f.targetType))
    throw LatchkeyError.field('targetType', 'must be key, user, org, membership or settings');
  const involving = checkedInvolving(f.involving);
  const { action, targetType, targetId, actor } = filter ?? {};
  return core.store.listAudit({ action, targetType, targetId, actor, involving }, pageOf(page));
}

/** The ids an event names: its actor, its target and any userId/orgId in its details. */
function idsOf(event: AuditEvent, ids: AuditNameIds): void {
  const [actorKind, actorId] = event.actor.split(':', 2);
  if (actorId && actorKind === 'user') ids.userIds.push(actorId);
  if (actorId && actorKind === 'admin') ids.adminIds.push(actorId);
  if (actorId && actorKind === 'integration') ids.integrationKeyIds.push(actorId);
  const target = event.targetId;
  if (event.targetType === 'key') ids.keyIds.push(target);
  if (event.targetType === 'user') ids.userIds.push(target);
  if (event.targetType === 'org') ids.orgIds.push(target);
  if (event.targetType === 'membership') {
    const [orgId, userId] = target.split(':', 2);
    if (orgId && userId) {
      ids.orgIds.push(orgId);
      ids.userIds.push(userId);
    }
  }
  if (event.targetType === 'settings' && target.startsWith('admin:'))
    ids.adminIds.push(target.slice('admin:'.length));
  if (event.action.startsWith('integration_key.')) ids.integrationKeyIds.push(target);
  const { userId, orgId } = event.details;
  if (typeof userId === 'string') ids.userIds.push(userId);
  if (typeof orgId === 'string') ids.orgIds.push(orgId);
}

/** Names for everything the events point at, read one kind at a time (never one per event). */
export async function auditNames(core: Core, events: AuditEvent[]): Promise<AuditNames> {
  const ids: AuditNameIds = {
    userIds: [],
    orgIds: [],
    keyIds: [],
    adminIds: [],
    integrationKeyIds: [],
  };
  for (const event of events) idsOf(event, ids);
  const found = await core.store.findAuditNames(ids);
  return {
    users: Object.fromEntries(found.users.map((u) => [u.id, u.email])),
    orgs: Object.fromEntries(found.orgs.map((o) => [o.id, o.name])),
    keys: Object.fromEntries(
      found.keys.map((k) => [k.id, { displayName: k.displayName, hint: k.hint }]),
    ),
    admins: Object.fromEntries(found.admins.map((a) => [a.id, a.email])),
    integrationKeys: Object.fromEntries(found.integrationKeys.map((k) => [k.id, k.name])),
  };
}
