import type {
  Admin,
  ApiKey,
  AuditEvent,
  IntegrationKey,
  KeyKind,
  Membership,
  Org,
  OrgRole,
  Settings,
  SetupToken,
  UsageIncrement,
  User,
} from '../core/types';

export interface Page {
  limit: number;
  offset: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
}

export type KeyState = 'current' | 'expired' | 'archived';

export interface KeyFilter {
  /** current = not archived and not expired at `now`; expired = not archived, past expiry. */
  state?: KeyState;
  /** Shorthand used by the REST API: archived or not (expired keys count as not archived). */
  archived?: boolean;
  kind?: KeyKind;
  userId?: string;
  orgId?: string;
  /** Matches a key id prefix or a substring of the hint or display name. */
  search?: string;
  now: number;
}

export interface UsageFilter {
  keyId?: string;
  userId?: string;
  orgId?: string;
}

export type UserPatch = Partial<Omit<User, 'id' | 'createdAt'>>;
export type OrgPatch = Partial<Pick<Org, 'name' | 'urlSafeName' | 'metadata'>>;
export type KeyPatch = Partial<
  Pick<ApiKey, 'displayName' | 'expiresAt' | 'metadata' | 'rateLimit'>
>;

/** Outcome of inserting a key under the "max active keys" rule. */
/**
 * `owner_gone`: the key's user or org no longer exists (or an org key's user is no longer a
 * member), checked together with the insert so a key cannot outlive a cascade that ran
 * between the caller's own check and the insert. Nothing is stored.
 */
export type InsertKeyResult = 'inserted' | 'limit_reached' | 'duplicate' | 'owner_gone';

/** A user's membership together with its org. */
export interface MembershipWithOrg {
  membership: Membership;
  org: Org;
}

/** What judging a key reads of it: its state, its owner and what a passing verdict carries. */
export type KeyToValidate = Pick<
  ApiKey,
  | 'id'
  | 'kind'
  | 'userId'
  | 'orgId'
  | 'metadata'
  | 'expiresAt'
  | 'archivedAt'
  | 'imported'
  | 'rateLimit'
>;

/**
 * What a validation says of a user (the seed's user object): whether they have a
 * password, never its hash, and none of the names or metadata it does not answer with.
 */
export interface UserToValidate extends Omit<
  User,
  'passwordHash' | 'firstName' | 'lastName' | 'username' | 'metadata'
> {
  hasPassword: boolean;
}

export const keyToValidate = (k: ApiKey): KeyToValidate => ({
  id: k.id,
  kind: k.kind,
  userId: k.userId,
  orgId: k.orgId,
  metadata: k.metadata,
  expiresAt: k.expiresAt,
  archivedAt: k.archivedAt,
  imported: k.imported,
  rateLimit: k.rateLimit,
});

export const userToValidate = (u: User): UserToValidate => ({
  id: u.id,
  email: u.email,
  emailConfirmed: u.emailConfirmed,
  hasPassword: u.passwordHash !== null,
  pictureUrl: u.pictureUrl,
  locked: u.locked,
  enabled: u.enabled,
  mfaEnabled: u.mfaEnabled,
  canCreateOrgs: u.canCreateOrgs,
  updatePasswordRequired: u.updatePasswordRequired,
  createdAt: u.createdAt,
  lastActiveAt: u.lastActiveAt,
});

/**
 * Everything validating a key needs to know, as it stood at one moment, and nothing
 * more: a store reads (and a cache holds) no password hash and no field no verdict uses.
 */
export interface KeyForValidation {
  key: KeyToValidate;
  /** Owner of a personal key or creator of an org key; null when there is none or it is gone. */
  user: UserToValidate | null;
  /** The org of an org key; null for other kinds or when the org is gone. */
  org: Org | null;
  /** The user's memberships (as listMembershipsOfUser orders them) with their orgs; [] without a user. */
  memberships: MembershipWithOrg[];
}

/** Sessions of the hosted and admin pages; `data` is express-session's JSON. */
export interface SessionRecord {
  data: string;
  expiresAt: number;
}

/**
 * Everything Latchkey needs from a database, named by what the core does.
 * Missing records are `null` or `[]`; methods throw only for the unexpected.
 * Every cascade (a `...And...` method) is atomic.
 */
export interface Store {
  readonly kind: 'sqlite' | 'mongo';

  // Users
  /** False when the email (case-insensitive) is taken. */
  insertUser(user: User): Promise<boolean>;
  findUserById(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  listUsers(filter: { emailContains?: string }, page: Page): Promise<Paged<User>>;
  /** Null when the user does not exist; false-y email collisions give 'email_taken'. */
  updateUser(id: string, patch: UserPatch): Promise<User | null | 'email_taken'>;
  /**
   * Deletes the user and their memberships, archives their personal keys and,
   * when `archiveCreatedOrgKeys`, the org keys they created. Null when unknown.
   */
  deleteUserAndArchiveKeys(
    id: string,
    now: number,
    archiveCreatedOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null>;

  // Orgs
  /** False when the url-safe name is taken. */
  insertOrg(org: Org): Promise<boolean>;
  findOrgById(id: string): Promise<Org | null>;
  findOrgsByIds(ids: string[]): Promise<Org[]>;
  listOrgs(filter: { nameContains?: string }, page: Page): Promise<Paged<Org>>;
  updateOrg(id: string, patch: OrgPatch): Promise<Org | null | 'name_taken'>;
  /** Deletes the org and its memberships and archives all its keys. Null when unknown. */
  deleteOrgAndArchiveKeys(id: string, now: number): Promise<{ archivedKeyIds: string[] } | null>;

  // Memberships
  /** Adds the user to the org, or changes their role if already a member. */
  upsertMembership(membership: Membership): Promise<void>;
  findMembership(userId: string, orgId: string): Promise<Membership | null>;
  listMembershipsOfUser(userId: string): Promise<Membership[]>;
  listMembershipsOfOrg(orgId: string, page: Page): Promise<Paged<Membership>>;
  /**
   * Removes the membership and, when `archiveTheirOrgKeys`, archives the keys
   * of that org the member created. Null when they were not a member.
   */
  removeMemberAndArchiveTheirOrgKeys(
    orgId: string,
    userId: string,
    now: number,
    archiveTheirOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null>;

  // API keys
  /**
   * Inserts the key unless its owner (user for personal, org for org keys)
   * already has `maxActive` current keys (0 = no limit). Check and insert are atomic.
   */
  insertKey(key: ApiKey, maxActive: number, now: number): Promise<InsertKeyResult>;
  findKeyById(id: string): Promise<ApiKey | null>;
  findKeyByDigest(digest: string): Promise<ApiKey | null>;
  /** The key with its user, org and the user's memberships, read together; null when unknown. */
  findKeyForValidation(digest: string): Promise<KeyForValidation | null>;
  /**
   * The same read without a promise, for adapters whose driver answers synchronously
   * (SQLite): a validation that must read the store then still finishes in one tick.
   * Adapters that wait on I/O leave it out.
   */
  findKeyForValidationSync?(digest: string): KeyForValidation | null;
  listKeys(filter: KeyFilter, page: Page): Promise<Paged<ApiKey>>;
  countKeys(filter: KeyFilter): Promise<number>;
  /** Updates a key that is not archived; null otherwise. */
  updateKey(id: string, patch: KeyPatch): Promise<ApiKey | null>;
  /** Archives a key that is not archived yet; null when no such current key. */
  archiveKey(id: string, now: number): Promise<ApiKey | null>;

  // Usage
  /** Adds counts per key per day and moves last-used times forward, in one batch. */
  recordUsage(increments: UsageIncrement[]): Promise<void>;
  countUsage(day: string, filter: UsageFilter): Promise<number>;
  usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]>;

  // Settings
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;

  // Audit log (append-only)
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(
    filter: {
      action?: string;
      targetType?: AuditEvent['targetType'];
      targetId?: string;
      actor?: string;
    },
    page: Page,
  ): Promise<Paged<AuditEvent>>;

  // Admins
  /** False when the email is taken. */
  insertAdmin(admin: Admin): Promise<boolean>;
  findAdminById(id: string): Promise<Admin | null>;
  findAdminByEmail(email: string): Promise<Admin | null>;
  listAdmins(): Promise<Admin[]>;
  updateAdmin(
    id: string,
    patch: Partial<Pick<Admin, 'passwordHash' | 'lastLoginAt'>>,
  ): Promise<Admin | null>;
  /** Refuses ('last_admin') to delete the only admin left. */
  deleteAdmin(id: string): Promise<'deleted' | 'not_found' | 'last_admin'>;
  saveSetupToken(token: SetupToken): Promise<void>;
  /** Deletes the token and reports whether it existed and was unexpired; one use only. */
  consumeSetupToken(digest: string, now: number): Promise<boolean>;

  // Integration keys
  insertIntegrationKey(key: IntegrationKey): Promise<void>;
  findIntegrationKeyByDigest(digest: string): Promise<IntegrationKey | null>;
  listIntegrationKeys(): Promise<IntegrationKey[]>;
  archiveIntegrationKey(id: string, now: number): Promise<IntegrationKey | null>;
  touchIntegrationKey(id: string, now: number): Promise<void>;

  // Page sessions
  getSession(sid: string, now: number): Promise<SessionRecord | null>;
  setSession(sid: string, record: SessionRecord): Promise<void>;
  destroySession(sid: string): Promise<void>;
  pruneSessions(now: number): Promise<number>;

  close(): Promise<void>;
}

export type { OrgRole };
