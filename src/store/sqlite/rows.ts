import type {
  Admin,
  ApiKey,
  AuditEvent,
  IntegrationKey,
  JsonObject,
  KeyKind,
  Membership,
  Org,
  OrgRole,
  RateLimit,
  Refill,
  User,
} from '../../core/types';

/** Pure mappers between SQLite rows (snake_case, 0/1 booleans, JSON text) and domain records. */

type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v);
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown): boolean => v === 1 || v === 1n || v === true;
const json = (v: unknown): JsonObject => JSON.parse(String(v)) as JsonObject;
const bit = (b: boolean): number => (b ? 1 : 0);

export function userFromRow(r: Row): User {
  return {
    id: str(r.id),
    email: str(r.email),
    emailConfirmed: bool(r.email_confirmed),
    passwordHash: optStr(r.password_hash),
    pictureUrl: optStr(r.picture_url),
    firstName: optStr(r.first_name),
    lastName: optStr(r.last_name),
    username: optStr(r.username),
    locked: bool(r.locked),
    enabled: bool(r.enabled),
    mfaEnabled: bool(r.mfa_enabled),
    canCreateOrgs: bool(r.can_create_orgs),
    updatePasswordRequired: bool(r.update_password_required),
    metadata: json(r.metadata),
    createdAt: num(r.created_at),
    lastActiveAt: num(r.last_active_at),
  };
}

export function userToRow(u: User): Row {
  return {
    id: u.id,
    email: u.email,
    email_lower: u.email.toLowerCase(),
    email_confirmed: bit(u.emailConfirmed),
    password_hash: u.passwordHash,
    picture_url: u.pictureUrl,
    first_name: u.firstName,
    last_name: u.lastName,
    username: u.username,
    locked: bit(u.locked),
    enabled: bit(u.enabled),
    mfa_enabled: bit(u.mfaEnabled),
    can_create_orgs: bit(u.canCreateOrgs),
    update_password_required: bit(u.updatePasswordRequired),
    metadata: JSON.stringify(u.metadata),
    created_at: u.createdAt,
    last_active_at: u.lastActiveAt,
  };
}

export function orgFromRow(r: Row): Org {
  return {
    id: str(r.id),
    name: str(r.name),
    urlSafeName: str(r.url_safe_name),
    metadata: json(r.metadata),
    createdAt: num(r.created_at),
  };
}

export function orgToRow(o: Org): Row {
  return {
    id: o.id,
    name: o.name,
    url_safe_name: o.urlSafeName,
    metadata: JSON.stringify(o.metadata),
    created_at: o.createdAt,
  };
}

export function membershipFromRow(r: Row): Membership {
  return {
    userId: str(r.user_id),
    orgId: str(r.org_id),
    role: str(r.role) as OrgRole,
    joinedAt: num(r.joined_at),
  };
}

export function keyFromRow(r: Row): ApiKey {
  return {
    id: str(r.id),
    digest: str(r.digest),
    kind: str(r.kind) as KeyKind,
    userId: optStr(r.user_id),
    orgId: optStr(r.org_id),
    displayName: str(r.display_name),
    hint: str(r.hint),
    metadata: json(r.metadata),
    expiresAt: optNum(r.expires_at),
    createdAt: num(r.created_at),
    lastUsedAt: optNum(r.last_used_at),
    archivedAt: optNum(r.archived_at),
    imported: bool(r.imported),
    createdBy: str(r.created_by),
    rateLimit:
      r.rate_limit === null || r.rate_limit === undefined ? null : rateLimitOf(r.rate_limit),
    scopes: stringListOf(r.scopes),
    allowedIps: stringListOf(r.allowed_ips),
    remaining: optNum(r.remaining),
    refill: r.refill === null || r.refill === undefined ? null : refillOf(r.refill),
    refilledAt: optNum(r.refilled_at),
    previousDigest: optStr(r.previous_digest),
    previousDigestExpiresAt: optNum(r.previous_digest_expires_at),
  };
}

const rateLimitOf = (v: unknown): RateLimit => JSON.parse(String(v)) as RateLimit;
const refillOf = (v: unknown): Refill => JSON.parse(String(v)) as Refill;

/** A JSON array column (scopes, allowed_ips); NULL stays null. */
export const stringListOf = (v: unknown): string[] | null =>
  v === null || v === undefined ? null : (JSON.parse(String(v)) as string[]);
const stringListColumn = (v: readonly string[] | null): string | null =>
  v === null ? null : JSON.stringify(v);

export function keyToRow(k: ApiKey): Row {
  return {
    id: k.id,
    digest: k.digest,
    kind: k.kind,
    user_id: k.userId,
    org_id: k.orgId,
    display_name: k.displayName,
    hint: k.hint,
    metadata: JSON.stringify(k.metadata),
    expires_at: k.expiresAt,
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    archived_at: k.archivedAt,
    imported: bit(k.imported),
    created_by: k.createdBy,
    rate_limit: k.rateLimit ? JSON.stringify(k.rateLimit) : null,
    scopes: stringListColumn(k.scopes),
    allowed_ips: stringListColumn(k.allowedIps),
    remaining: k.remaining,
    refill: k.refill ? JSON.stringify(k.refill) : null,
    refilled_at: k.refilledAt,
    previous_digest: k.previousDigest,
    previous_digest_expires_at: k.previousDigestExpiresAt,
  };
}

export function auditFromRow(r: Row): AuditEvent {
  return {
    id: str(r.id),
    at: num(r.at),
    actor: str(r.actor),
    action: str(r.action),
    targetType: str(r.target_type) as AuditEvent['targetType'],
    targetId: str(r.target_id),
    ip: optStr(r.ip),
    details: json(r.details),
  };
}

export function adminFromRow(r: Row): Admin {
  return {
    id: str(r.id),
    email: str(r.email),
    passwordHash: str(r.password_hash),
    createdAt: num(r.created_at),
    lastLoginAt: optNum(r.last_login_at),
  };
}

export function integrationKeyFromRow(r: Row): IntegrationKey {
  return {
    id: str(r.id),
    digest: str(r.digest),
    name: str(r.name),
    hint: str(r.hint),
    createdAt: num(r.created_at),
    lastUsedAt: optNum(r.last_used_at),
    archivedAt: optNum(r.archived_at),
  };
}
