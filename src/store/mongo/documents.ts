import type { JsonObject, KeyKind, OrgRole, RateLimit, Refill } from '../../core/types';

/**
 * The MongoDB documents: the same fields as the SQLite tables, camelCase, with
 * the natural id as `_id` where a record has one (so it is unique by definition).
 * Times are unix seconds, like everywhere else in Latchkey.
 */

export interface UserDoc {
  _id: string;
  email: string;
  /** Lower-cased copy of `email`: the unique, case-insensitive lookup key. */
  emailLower: string;
  emailConfirmed: boolean;
  passwordHash: string | null;
  pictureUrl: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  locked: boolean;
  enabled: boolean;
  mfaEnabled: boolean;
  canCreateOrgs: boolean;
  updatePasswordRequired: boolean;
  metadata: JsonObject;
  createdAt: number;
  lastActiveAt: number;
}

export interface OrgDoc {
  _id: string;
  name: string;
  urlSafeName: string;
  metadata: JsonObject;
  createdAt: number;
}

export interface MembershipDoc {
  userId: string;
  orgId: string;
  role: OrgRole;
  joinedAt: number;
}

export interface ApiKeyDoc {
  _id: string;
  digest: string;
  kind: KeyKind;
  userId: string | null;
  orgId: string | null;
  displayName: string;
  hint: string;
  metadata: JsonObject;
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
  imported: boolean;
  createdBy: string;
  rateLimit: RateLimit | null;
  /** Absent on keys stored before scopes and allowlists existed: null then. */
  scopes?: string[] | null;
  allowedIps?: string[] | null;
  remaining?: number | null;
  refill?: Refill | null;
  refilledAt?: number | null;
  previousDigest?: string | null;
  previousDigestExpiresAt?: number | null;
  /** Insertion order (see nextKeySeq): newest first among keys made in the same second. */
  seq?: number | null;
}

export interface UsageDoc {
  keyId: string;
  /** UTC day, YYYY-MM-DD (sorts as text). */
  day: string;
  count: number;
}

export interface SettingsDoc {
  _id: string;
  data: JsonObject;
}

export interface AuditDoc {
  /** The event id; `_id` stays an ObjectId so events with the same second keep insertion order. */
  id: string;
  at: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  ip: string | null;
  details: JsonObject;
}

export interface AdminDoc {
  _id: string;
  email: string;
  emailLower: string;
  passwordHash: string;
  createdAt: number;
  lastLoginAt: number | null;
}

/** An expiry reminder sent: unique per key and threshold. */
export interface ExpiryReminderDoc {
  keyId: string;
  thresholdDays: number;
  expiresAt: number;
  sentAt: number;
}

export interface SetupTokenDoc {
  /** The token's digest. */
  _id: string;
  expiresAt: number;
}

export interface IntegrationKeyDoc {
  _id: string;
  digest: string;
  name: string;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
}

export interface SessionDoc {
  /** The session id. */
  _id: string;
  data: string;
  expiresAt: number;
  /** Same instant as `expiresAt`, as a Date, so a TTL index removes expired sessions. */
  expireAt: Date;
}

/** A short lease that serialises "count then insert" for one key owner (see owner-lock.ts). */
export interface OwnerLockDoc {
  _id: string;
  holder: string;
  /** Milliseconds since the epoch. */
  lockedUntil: number;
}

/** Counts of changes, polled by other processes where there are no change streams. */
export interface ChangeCounterDoc {
  _id: string;
  settings: number;
  lookups: number;
}
