import type { ApiKey, KeyKind, Membership, Org, User } from '../types';
import type { OutboxEvent } from './event-records';
import type { Page, Paged } from './paging';

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

export type KeyPatch = Partial<
  Pick<
    ApiKey,
    | 'displayName'
    | 'expiresAt'
    | 'metadata'
    | 'rateLimit'
    | 'scopes'
    | 'allowedIps'
    | 'remaining'
    | 'refill'
    | 'refilledAt'
  >
>;

/** Uses a lease took from a key's quota (see leaseUses). */
export interface UseLease {
  /** Uses taken: 0, or between the lease's least and want. */
  granted: number;
  /** Uses left in the store after the lease. */
  remaining: number;
  /** The refill period the uses belong to; null when the quota does not refill. */
  period: number | null;
  /** When the quota next refills; null when it does not. */
  nextRefillAt: number | null;
}

/**
 * Outcome of inserting a key under the "max active keys" rule.
 *
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
  | 'scopes'
  | 'allowedIps'
> & {
  /** Present (a number) only on a key with a quota: validation then spends from it. */
  remaining?: number;
};

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
  scopes: k.scopes,
  allowedIps: k.allowedIps,
  ...(k.remaining !== null && { remaining: k.remaining }),
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

/** API keys: issuing under the active-key limit, the validation read, lists and archiving. */
export interface KeyRecords {
  // API keys
  /**
   * Inserts the key unless its owner (user for personal, org for org keys)
   * already has `maxActive` current keys (0 = no limit). Check and insert are atomic;
   * `events` are stored only when the key is.
   */
  insertKey(
    key: ApiKey,
    maxActive: number,
    now: number,
    events?: OutboxEvent[],
  ): Promise<InsertKeyResult>;
  findKeyById(id: string): Promise<ApiKey | null>;
  findKeyByDigest(digest: string): Promise<ApiKey | null>;
  /**
   * The key with its user, org and the user's memberships, read together; null when unknown.
   * A key's previous digest (see rollKey) finds it too, with `expiresAt` no later than the
   * end of that digest's grace period.
   */
  findKeyForValidation(digest: string): Promise<KeyForValidation | null>;
  /**
   * The same read without a promise, for adapters whose driver answers synchronously
   * (SQLite): a validation that must read the store then still finishes in one tick.
   * Adapters that wait on I/O leave it out.
   */
  findKeyForValidationSync?(digest: string): KeyForValidation | null;
  /**
   * A number that changes, in the same transaction, with every write a validation can
   * observe (keys, users, orgs, memberships, settings) and with no other write (usage,
   * audit, sessions, rate-limit counts): strict consistency reads it before each
   * validation to tell whether cached lookups still stand. Read synchronously. Adapters
   * that cannot offer one leave it out, and strict mode then caches no lookups.
   */
  validationRevisionSync?(): number;
  listKeys(filter: KeyFilter, page: Page): Promise<Paged<ApiKey>>;
  countKeys(filter: KeyFilter): Promise<number>;
  /** Updates a key that is not archived; null otherwise. */
  updateKey(id: string, patch: KeyPatch, events?: OutboxEvent[]): Promise<ApiKey | null>;
  /** Archives a key that is not archived yet; null when no such current key. */
  archiveKey(id: string, now: number, events?: OutboxEvent[]): Promise<ApiKey | null>;

  // Quotas and rolling
  /**
   * Takes uses from the quota of a key that is not archived, atomically across processes:
   * `want` when that many are left, else all that are left when at least `least`, else none.
   * A refill that is due is applied first. Null when there is no such key or it has no quota.
   */
  leaseUses(keyId: string, least: number, want: number, now: number): Promise<UseLease | null>;
  /** Gives back uses a lease did not need, unless the quota has refilled since `period`. */
  returnUses(keyId: string, uses: number, period: number | null): Promise<void>;
  /**
   * Gives a key that is not archived a new digest and hint, keeping the old digest valid
   * (findKeyForValidation finds it) until `previousExpiresAt`; null when no such current key.
   * `events` are stored only when the key is rolled.
   */
  rollKey(
    id: string,
    next: { digest: string; hint: string },
    previousExpiresAt: number,
    events?: OutboxEvent[],
  ): Promise<ApiKey | null>;
}
