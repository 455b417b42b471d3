import type { AuditNames } from '../../core/audit-log';
import type { AuditEvent, JsonObject } from '../../core/types';

/** One name on an audit row: text, and the dashboard page it links to when there is one. */
export interface AuditRef {
  text: string;
  href: string | null;
  /** The raw id or actor, for a tooltip. */
  title: string;
  gone: boolean;
}

export interface AuditRow {
  event: AuditEvent;
  actor: AuditRef;
  target: AuditRef[];
  details: { name: string; value: string }[];
}

// Nothing secret is written to the audit log; this is a second guard for what is shown.
const SECRET_NAME = /token|password|secret|digest|hash/i;
const MAX_LIST_ITEMS = 3;

/** Detail values with anything secret-looking replaced, for display. */
export function safeDetails(details: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, SECRET_NAME.test(k) ? '[hidden]' : v]),
  );
}

const short = (id: string) => (id.length > 8 ? `${id.slice(0, 8)}…` : id);

function ref(
  kind: string,
  id: string,
  name: string | undefined,
  href: string,
  title = id,
): AuditRef {
  return name === undefined
    ? { text: `deleted ${kind} ${short(id)}`, href: null, title, gone: true }
    : { text: name, href, title, gone: false };
}

const userRef = (names: AuditNames, id: string, title?: string) =>
  ref('user', id, names.users[id], `/users/${encodeURIComponent(id)}`, title);
const orgRef = (names: AuditNames, id: string) =>
  ref('org', id, names.orgs[id], `/orgs/${encodeURIComponent(id)}`);
const adminRef = (names: AuditNames, id: string, title?: string) => {
  const email = names.admins[id];
  return ref('admin', id, email && `admin ${email}`, '/admins', title);
};
const integrationRef = (names: AuditNames, id: string, title?: string) => {
  const name = names.integrationKeys[id];
  return ref('integration key', id, name && `integration key ${name}`, '/integration-keys', title);
};

function keyRef(names: AuditNames, id: string): AuditRef {
  const key = names.keys[id];
  return ref(
    'key',
    id,
    key && `${key.displayName} (${key.hint})`,
    `/keys/${encodeURIComponent(id)}`,
  );
}

function actorRef(names: AuditNames, actor: string): AuditRef {
  const [kind, id] = actor.split(':', 2);
  if (id && kind === 'user') return userRef(names, id, actor);
  if (id && kind === 'admin') return adminRef(names, id, actor);
  if (id && kind === 'integration') return integrationRef(names, id, actor);
  return { text: actor, href: null, title: actor, gone: false };
}

function targetRefs(names: AuditNames, e: AuditEvent): AuditRef[] {
  const id = e.targetId;
  if (e.action.startsWith('integration_key.')) return [integrationRef(names, id)];
  switch (e.targetType) {
    case 'key':
      return [keyRef(names, id)];
    case 'user':
      return [userRef(names, id)];
    case 'org':
      return [orgRef(names, id)];
    case 'membership': {
      const [orgId, userId] = id.split(':', 2);
      if (orgId && userId) return [userRef(names, userId), orgRef(names, orgId)];
      break;
    }
    case 'settings':
      if (id.startsWith('admin:')) return [adminRef(names, id.slice('admin:'.length), id)];
      if (id === 'settings')
        return [{ text: 'Settings', href: '/settings', title: id, gone: false }];
  }
  return [{ text: `${e.targetType} ${id}`, href: null, title: id, gone: false }];
}

/** A detail value as short text: lists shortened, "null" as "none", objects as name: value. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    if (!value.length) return 'none';
    const shown = value.slice(0, MAX_LIST_ITEMS).map(valueText).join(', ');
    const more = value.length - MAX_LIST_ITEMS;
    return more > 0 ? `${shown} and ${more} more` : shown;
  }
  if (typeof value === 'object')
    return Object.entries(value as JsonObject)
      .map(([k, v]) => `${k}: ${valueText(v)}`)
      .join(', ');
  return String(value);
}

function detailRows(names: AuditNames, details: JsonObject): AuditRow['details'] {
  const shown = Object.entries(safeDetails(details)).filter(
    // A key without an org (or user) says nothing by saying so.
    ([name, value]) => !(value === null && (name === 'userId' || name === 'orgId')),
  );
  return shown.map(([name, value]) => {
    if (name === 'userId' && typeof value === 'string')
      return { name: 'user', value: userRef(names, value).text };
    if (name === 'orgId' && typeof value === 'string')
      return { name: 'org', value: orgRef(names, value).text };
    if (Array.isArray(value) && /Ids$/.test(name))
      return { name, value: value.length === 1 ? '1 key' : `${value.length} keys` };
    return { name, value: valueText(value) };
  });
}

/** The events as the audit page shows them: who, what and what to, by name. */
export function auditRows(events: AuditEvent[], names: AuditNames): AuditRow[] {
  return events.map((event) => ({
    event,
    actor: actorRef(names, event.actor),
    target: targetRefs(names, event),
    details: detailRows(names, event.details),
  }));
}
