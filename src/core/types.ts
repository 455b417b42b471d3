/** Domain records as the store keeps them. Times are unix seconds. */
import { DEFAULT_BRANDING, type Branding } from './branding';

export type JsonObject = { [key: string]: unknown };

export type OrgRole = 'Owner' | 'Admin' | 'Member';
export const ORG_ROLES: readonly OrgRole[] = ['Owner', 'Admin', 'Member'];

export type KeyKind = 'personal' | 'org' | 'generic';

export interface User {
  id: string;
  email: string;
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

export interface Org {
  id: string;
  name: string;
  urlSafeName: string;
  metadata: JsonObject;
  createdAt: number;
}

export interface Membership {
  userId: string;
  orgId: string;
  role: OrgRole;
  joinedAt: number;
}

export interface ApiKey {
  id: string;
  /** Hex SHA-256 of the whole token; the only form of the secret kept. */
  digest: string;
  kind: KeyKind;
  /** Owner of a personal key, or the member who created an org key. */
  userId: string | null;
  orgId: string | null;
  displayName: string;
  /** Non-secret reminder of the token, e.g. "lk_…Xy9Q". */
  hint: string;
  metadata: JsonObject;
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
  imported: boolean;
  /** Who made it: "user:<id>", "admin:<id>", "integration:<id>", "cli" or "library". */
  createdBy: string;
  /** This key's own validation allowance; null = only the user/org allowances apply. */
  rateLimit: RateLimit | null;
  /** Scopes the key holds; null for a key stored before it had any: it holds the default set. */
  scopes: string[] | null;
  /** Addresses and CIDR ranges the key may be used from; null = anywhere. */
  allowedIps: string[] | null;
  /** Uses left of this key's quota (see quota.ts); null = no quota. */
  remaining: number | null;
  /** How the quota refills at UTC day or month boundaries; null = it does not. */
  refill: Refill | null;
  /** Start (unix seconds) of the refill period `remaining` counts; null without a refill. */
  refilledAt: number | null;
  /** Digest of the token a roll replaced; it validates until `previousDigestExpiresAt`. */
  previousDigest: string | null;
  previousDigestExpiresAt: number | null;
}

/** The quota and roll fields of a key that has no quota and was never rolled. */
export const NO_QUOTA_OR_ROLL = Object.freeze({
  remaining: null,
  refill: null,
  refilledAt: null,
  previousDigest: null,
  previousDigestExpiresAt: null,
} as const satisfies Partial<ApiKey>);

/** A quota's refill: `remaining` is set back to `amount` at the start of each interval (UTC). */
export interface Refill {
  amount: number;
  interval: RefillInterval;
}

export type RefillInterval = 'day' | 'month';

/** An allowance: at most `limit` successful validations per `periodSeconds`. */
export interface RateLimit {
  limit: number;
  periodSeconds: number;
}

export type ExpiryChoice = '2w' | '1m' | '3m' | '6m' | '1y' | 'never';
export const EXPIRY_CHOICES: readonly ExpiryChoice[] = ['2w', '1m', '3m', '6m', '1y', 'never'];

export interface Settings {
  personalKeysEnabled: boolean;
  orgKeysEnabled: boolean;
  revokeOrgKeysWhenCreatorLeaves: boolean;
  expiryChoices: ExpiryChoice[];
  defaultExpiry: ExpiryChoice;
  orgKeyManagerRoles: OrgRole[];
  personalPageEnabled: boolean;
  orgPageEnabled: boolean;
  selfSignupEnabled: boolean;
  /** 0 means no limit. */
  maxKeysPerUser: number;
  maxKeysPerOrg: number;
  tokenPrefix: string;
  /** Validations allowed for all personal keys of one user; null = no limit. */
  userRateLimit: RateLimit | null;
  /** Validations allowed for all keys of one org; null = no limit. */
  orgRateLimit: RateLimit | null;
  /** Audit events older than this many days are deleted. */
  auditRetentionDays: number;
  /** Usage counts of days older than this are deleted. */
  usageRetentionDays: number;
  /** Archived keys are deleted this many days after archiving; null keeps them forever. */
  archivedKeyRetentionDays: number | null;
  /** How the hosted pages present the product to its customers. */
  branding: Branding;
  /** Days before a key's expiry its owners are emailed a reminder, once per threshold. */
  expiryReminderDays: number[];
  /** What a key reported as leaked gets: revoked at once, or only flagged (audit, event, email). */
  leakedKeyAction: LeakedKeyAction;
  /** Keys expiring within this many days carry an "expires in N days" notice; 0 = none. */
  expiryWarningDays: number;
  /** The declared scopes personal keys may hold; null = every one the product lets them. */
  personalKeyScopes: string[] | null;
  /** The declared scopes org keys may hold (a member can grant no other); null = all. */
  orgKeyScopes: string[] | null;
}

export type LeakedKeyAction = 'revoke' | 'flag';

export const DEFAULT_SETTINGS: Settings = {
  personalKeysEnabled: true,
  orgKeysEnabled: true,
  revokeOrgKeysWhenCreatorLeaves: false,
  expiryChoices: ['2w', '1m', '3m', '6m', '1y', 'never'],
  defaultExpiry: '3m',
  orgKeyManagerRoles: ['Owner', 'Admin'],
  personalPageEnabled: true,
  orgPageEnabled: true,
  selfSignupEnabled: false,
  maxKeysPerUser: 0,
  maxKeysPerOrg: 0,
  tokenPrefix: 'lk',
  userRateLimit: null,
  orgRateLimit: null,
  auditRetentionDays: 400,
  usageRetentionDays: 400,
  archivedKeyRetentionDays: null,
  branding: DEFAULT_BRANDING,
  expiryReminderDays: [7, 1],
  leakedKeyAction: 'revoke',
  expiryWarningDays: 7,
  personalKeyScopes: null,
  orgKeyScopes: null,
};

export interface AuditEvent {
  id: string;
  at: number;
  /** "user:<id>", "admin:<id>", "integration:<id>", "cli", "library" or "system". */
  actor: string;
  action: string;
  targetType: 'key' | 'user' | 'org' | 'membership' | 'settings';
  targetId: string;
  ip: string | null;
  details: JsonObject;
}

export interface UsageIncrement {
  keyId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
  lastUsedAt: number;
}

export interface Admin {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: number;
  lastLoginAt: number | null;
}

/** Credential for the backend REST API. Stored by digest, like API keys. */
export interface IntegrationKey {
  id: string;
  digest: string;
  name: string;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
}

/** A one-time token that lets the first admin register. */
export interface SetupToken {
  digest: string;
  expiresAt: number;
}

/** Logos and favicons: raster images only, so an upload can never carry script. */
export type BrandImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** An uploaded image as the store keeps it. */
export interface BrandAsset {
  id: string;
  contentType: BrandImageType;
  bytes: Uint8Array;
  createdAt: number;
}
