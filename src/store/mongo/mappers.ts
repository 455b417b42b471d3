import type {
  Admin,
  ApiKey,
  AuditEvent,
  IntegrationKey,
  JsonObject,
  Membership,
  Org,
  User,
} from '../../core/types';
import type {
  AdminDoc,
  ApiKeyDoc,
  AuditDoc,
  IntegrationKeyDoc,
  MembershipDoc,
  OrgDoc,
  UserDoc,
} from './models';

/**
 * Pure mappers between MongoDB documents (natural id in `_id`) and domain
 * records. Reads tolerate missing optional fields (null), so documents written
 * by an older version still map to complete records.
 */

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);
const plain = (v: JsonObject | null | undefined): JsonObject => ({ ...(v ?? {}) });

export function userFromDoc(d: UserDoc): User {
  return {
    id: d._id,
    email: d.email,
    emailConfirmed: d.emailConfirmed,
    passwordHash: orNull(d.passwordHash),
    pictureUrl: orNull(d.pictureUrl),
    firstName: orNull(d.firstName),
    lastName: orNull(d.lastName),
    username: orNull(d.username),
    locked: d.locked,
    enabled: d.enabled,
    mfaEnabled: d.mfaEnabled,
    canCreateOrgs: d.canCreateOrgs,
    updatePasswordRequired: d.updatePasswordRequired,
    metadata: plain(d.metadata),
    createdAt: d.createdAt,
    lastActiveAt: d.lastActiveAt,
  };
}

export function userToDoc(u: User): UserDoc {
  const { id, ...rest } = u;
  return { _id: id, ...rest, emailLower: u.email.toLowerCase() };
}

export function orgFromDoc(d: OrgDoc): Org {
  return {
    id: d._id,
    name: d.name,
    urlSafeName: d.urlSafeName,
    metadata: plain(d.metadata),
    createdAt: d.createdAt,
  };
}

export function orgToDoc(o: Org): OrgDoc {
  const { id, ...rest } = o;
  return { _id: id, ...rest };
}

export function membershipFromDoc(d: MembershipDoc): Membership {
  return { userId: d.userId, orgId: d.orgId, role: d.role, joinedAt: d.joinedAt };
}

export function keyFromDoc(d: ApiKeyDoc): ApiKey {
  return {
    id: d._id,
    digest: d.digest,
    kind: d.kind,
    userId: orNull(d.userId),
    orgId: orNull(d.orgId),
    displayName: d.displayName,
    hint: d.hint,
    metadata: plain(d.metadata),
    expiresAt: orNull(d.expiresAt),
    createdAt: d.createdAt,
    lastUsedAt: orNull(d.lastUsedAt),
    archivedAt: orNull(d.archivedAt),
    imported: d.imported,
    createdBy: d.createdBy,
    rateLimit: d.rateLimit
      ? { limit: d.rateLimit.limit, periodSeconds: d.rateLimit.periodSeconds }
      : null,
    scopes: d.scopes ? [...d.scopes] : null,
    allowedIps: d.allowedIps ? [...d.allowedIps] : null,
    remaining: orNull(d.remaining),
    refill: d.refill ? { amount: d.refill.amount, interval: d.refill.interval } : null,
    refilledAt: orNull(d.refilledAt),
    previousDigest: orNull(d.previousDigest),
    previousDigestExpiresAt: orNull(d.previousDigestExpiresAt),
  };
}

export function keyToDoc(k: ApiKey): ApiKeyDoc {
  const { id, ...rest } = k;
  return { _id: id, ...rest };
}

export function auditFromDoc(d: AuditDoc): AuditEvent {
  return {
    id: d.id,
    at: d.at,
    actor: d.actor,
    action: d.action,
    targetType: d.targetType as AuditEvent['targetType'],
    targetId: d.targetId,
    ip: orNull(d.ip),
    details: plain(d.details),
  };
}

export function auditToDoc(e: AuditEvent): AuditDoc {
  return { ...e };
}

export function adminFromDoc(d: AdminDoc): Admin {
  return {
    id: d._id,
    email: d.email,
    passwordHash: d.passwordHash,
    createdAt: d.createdAt,
    lastLoginAt: orNull(d.lastLoginAt),
  };
}

export function adminToDoc(a: Admin): AdminDoc {
  const { id, ...rest } = a;
  return { _id: id, ...rest, emailLower: a.email.toLowerCase() };
}

export function integrationKeyFromDoc(d: IntegrationKeyDoc): IntegrationKey {
  return {
    id: d._id,
    digest: d.digest,
    name: d.name,
    hint: d.hint,
    createdAt: d.createdAt,
    lastUsedAt: orNull(d.lastUsedAt),
    archivedAt: orNull(d.archivedAt),
  };
}

export function integrationKeyToDoc(k: IntegrationKey): IntegrationKeyDoc {
  const { id, ...rest } = k;
  return { _id: id, ...rest };
}

/** Only these user fields may be `$set` by a patch; anything else in the object is ignored. */
const USER_PATCH_FIELDS = [
  'email',
  'emailConfirmed',
  'passwordHash',
  'pictureUrl',
  'firstName',
  'lastName',
  'username',
  'locked',
  'enabled',
  'mfaEnabled',
  'canCreateOrgs',
  'updatePasswordRequired',
  'metadata',
  'lastActiveAt',
] as const;

/** Builds a `$set` from a user patch: known fields only, and the lower-cased email with the email. */
export function userPatchToSet(patch: Partial<User>): Partial<UserDoc> {
  const set: Record<string, unknown> = {};
  for (const field of USER_PATCH_FIELDS) {
    if (patch[field] !== undefined) set[field] = patch[field];
  }
  if (typeof patch.email === 'string') set.emailLower = patch.email.toLowerCase();
  return set as Partial<UserDoc>;
}

/** Builds a `$set` from the named fields of a patch that are present. */
export function pickSet<T extends object, K extends keyof T>(
  patch: T,
  fields: readonly K[],
): Partial<Pick<T, K>> {
  const set: Partial<Pick<T, K>> = {};
  for (const field of fields) {
    if (patch[field] !== undefined) set[field] = patch[field];
  }
  return set;
}
