import type { RequestHandler } from 'express';
import type { z } from 'zod';
import type { AdminView, CreateAdminInput } from './core/admins';
import type { AuditFilter, AuditNames } from './core/audit-log';
import type { Actor } from './core/context';
import type { ApiKeyIdentity, OrgKeyIdentity, PersonalKeyIdentity } from './core/identity';
import type { settingsPatch } from './core/settings-input';
import type { CreatedIntegrationKey, IntegrationKeyView } from './core/integration-keys';
import type { IntegrationKeys } from './core/integration-keys';
import type { KeyList, KeyListQuery } from './core/key-lists';
import type { RollKeyOptions } from './core/key-roll';
import type { UsageByDayQuery, UsageQuery } from './core/key-usage';
import type {
  ApiKeyView,
  CreatedKey,
  CreateKeyInput,
  ImportKeyInput,
  KeyUpdate,
} from './core/keys';
import type { CreateOrgInput, UpdateOrgInput } from './core/orgs';
import type { PageRequest } from './core/paging';
import type { BrandAsset } from './core/branding-images';
import type { AuditEvent, Membership, Org, Settings, User } from './core/types';
import type { Paged, PageSessions } from './core/store';
import type { CreateUserInput, UpdateUserInput } from './core/users';
import type { Validation } from './core/validation-result';
import type { Webhooks } from './core/webhooks/endpoints';
import type { InvalidKeyGuard } from './middleware/invalid-key-guard';
import type { ValidationRequest } from './core/key-policies';
import type { ScopeCatalog } from './core/scopes';
import type { RequireApiKeyOptions } from './middleware/require-api-key';
import type { Logger } from './logger';
import type { ValidationObserver } from './core/observer';
import type { RetentionPass } from './core/retention';
import type { LeakLocation, LeakOutcome } from './core/leaked-keys';
import type { ExpiryPass } from './core/key-expiry';
import type { LatchkeyMetrics, MetricsOptions } from './metrics/types';
import type { StoreDescription } from './store/describe-store';

/** A partial settings change, as updateSettings() takes it. */
export type SettingsPatch = z.input<typeof settingsPatch>;

/**
 * An in-process Latchkey, as createLatchkey() returns it: validation, middleware and the
 * management functions. Every change goes through here, so each is checked and audited;
 * `by` names who acted, for the audit log (the embedding code itself when omitted).
 * Functions taking an id fail with a `not_found` LatchkeyError naming the field when no
 * record has it; bad input fails with `invalid_input` naming every bad field.
 */
export interface Latchkey {
  readonly logger: Logger;

  // Validation ---------------------------------------------------------------

  /** Checks a token (with or without "Bearer ") of any kind and says whose it is, or why not. */
  validateApiKey(token: unknown, request?: ValidationRequest): Promise<Validation>;
  /** As validateApiKey, but only a personal key passes. */
  validatePersonalApiKey(
    token: unknown,
    request?: ValidationRequest,
  ): Promise<Validation<PersonalKeyIdentity>>;
  /** As validateApiKey, but only an org key passes. */
  validateOrgApiKey(
    token: unknown,
    request?: ValidationRequest,
  ): Promise<Validation<OrgKeyIdentity>>;
  /** Checks a token made elsewhere and stored with importApiKey (it carries no checksum). */
  validateImportedApiKey(
    token: unknown,
    request?: ValidationRequest,
  ): Promise<Validation<ApiKeyIdentity>>;
  /** As validateApiKey, but a cached key (or an SQLite read) answers in the same tick. */
  validateApiKeyInline(
    token: unknown,
    request?: ValidationRequest,
  ): Validation | Promise<Validation>;
  /** The product's declared scopes (see the `scopes` option). */
  readonly scopes: ScopeCatalog;
  /** Middleware: a request without a valid key gets 401 (403 for the wrong kind); sets `req.apiKey`. */
  requireApiKey(options?: RequireApiKeyOptions): RequestHandler;
  /** As requireApiKey, but a request without an Authorization header passes through unauthenticated. */
  optionalApiKey(options?: RequireApiKeyOptions): RequestHandler;
  /** Slows and refuses IPs that keep sending invalid keys; for other routes that take keys. */
  readonly invalidKeyGuard: InvalidKeyGuard;
  /** Drops cached verdicts (of this digest's key, or all): the next validation reads the store. */
  forgetCachedValidations(digest?: string): void;

  // Keys ---------------------------------------------------------------------

  /** Makes a personal (userId), org (orgId, optionally with the creating userId) or generic key. */
  createApiKey(input?: CreateKeyInput, by?: Actor): Promise<CreatedKey>;
  /** Stores a token issued elsewhere (by digest only) so it validates with validateImportedApiKey. */
  importApiKey(input: ImportKeyInput, by?: Actor): Promise<ApiKeyView>;
  fetchApiKey(apiKeyId: string): Promise<ApiKeyView>;
  /** Changes the name, expiry, metadata or rate limit of a key that is not archived. */
  updateApiKey(apiKeyId: string, update: KeyUpdate, by?: Actor): Promise<ApiKeyView>;
  /** Archives (revokes) a key: it fails validation at once and stays listable as archived. */
  archiveApiKey(apiKeyId: string, by?: Actor): Promise<ApiKeyView>;
  /**
   * Gives a key a new token (shown once) with the same id, metadata, limits and quota; the
   * old token validates for `expireOldInSeconds` more (default 0), then fails as `expired`.
   */
  rollApiKey(apiKeyId: string, options?: RollKeyOptions, by?: Actor): Promise<CreatedKey>;
  /** Keys by owner, kind, state and text, a page at a time. */
  listApiKeys(query?: KeyListQuery): Promise<KeyList>;
  /** Validations counted for one UTC day (today by default), overall or for one key, user or org. */
  fetchApiKeyUsage(query?: UsageQuery): Promise<number>;
  /** Validations per UTC day over a range of days; days without any are left out. */
  fetchApiKeyUsageByDay(query: UsageByDayQuery): Promise<{ day: string; count: number }[]>;
  /** Writes the usage counts buffered in memory now, rather than at the next interval. */
  flushUsage(): Promise<void>;

  // Leaked keys and email to key owners ------------------------------------------

  /**
   * Handles a token found exposed (by a secret scanner, say) as the leakedKeyAction setting
   * says: revoked, or only flagged; audited with where it was found, `api_key.leaked`
   * raised, owners emailed. Null when the token is no key of this Latchkey.
   */
  reportLeakedToken(token: string, where?: LeakLocation, by?: Actor): Promise<LeakOutcome | null>;
  /** The same for a key known by its id (a "report a leaked key" action). */
  reportLeakedKey(apiKeyId: string, where?: LeakLocation, by?: Actor): Promise<LeakOutcome>;
  /** Whether email is configured: without it no reminder or notice is sent. */
  readonly emailConfigured: boolean;
  /**
   * Runs a pass of the expiry job now (also done in the background): `api_key.expired` for
   * keys whose expiry passed in the last 7 days, `api_key.expiring` and reminder emails for
   * keys about to expire, each once per key across processes; answers how many of each.
   */
  runExpiryPass(): Promise<ExpiryPass>;
  /** Runs the same pass; answers how many reminder emails went out. */
  sendExpiryReminders(): Promise<number>;

  // Users --------------------------------------------------------------------

  createUser(input: CreateUserInput, by?: Actor): Promise<User>;
  fetchUser(userId: string): Promise<User>;
  /** The user with this email (any case), or null. */
  fetchUserByEmail(email: string): Promise<User | null>;
  listUsers(filter?: { emailContains?: string }, page?: PageRequest): Promise<Paged<User>>;
  /** Changes profile fields; a change that affects validation applies at once. */
  updateUser(userId: string, input: UpdateUserInput, by?: Actor): Promise<User>;
  setUserPassword(userId: string, password: string, by?: Actor): Promise<User>;
  /** A disabled user's personal keys, and the org keys they act through, fail validation. */
  disableUser(userId: string, by?: Actor): Promise<User>;
  enableUser(userId: string, by?: Actor): Promise<User>;
  /** As disableUser, for a locked account. */
  lockUser(userId: string, by?: Actor): Promise<User>;
  unlockUser(userId: string, by?: Actor): Promise<User>;
  /** Deletes the user and archives their personal keys (and org keys they made, when the leave rule is on). */
  deleteUser(userId: string, by?: Actor): Promise<{ archivedKeyIds: string[] }>;
  /** Checks a password against a stored hash; over-long passwords are refused, not truncated. */
  verifyPassword(password: string, hash: string | null): Promise<boolean>;
  /**
   * The user with this email and password, or null, taking as long for an unknown email as
   * for a known one. Whether a disabled or locked user may sign in is the caller's to decide.
   */
  verifyUserSignIn(email: string, password: string): Promise<User | null>;
  /** Records that the user signed in: `lastActiveAt` becomes now, and the audit log says so. */
  recordSignIn(userId: string, by?: Actor): Promise<User>;

  // Orgs and memberships -----------------------------------------------------

  /** Makes an org; without `urlSafeName`, one is derived from the name (with a suffix when taken). */
  createOrg(input: CreateOrgInput, by?: Actor): Promise<Org>;
  fetchOrg(orgId: string): Promise<Org>;
  listOrgs(filter?: { nameContains?: string }, page?: PageRequest): Promise<Paged<Org>>;
  updateOrg(orgId: string, input: UpdateOrgInput, by?: Actor): Promise<Org>;
  /** Deletes the org and its memberships, and archives every key of the org. */
  deleteOrg(orgId: string, by?: Actor): Promise<{ archivedKeyIds: string[] }>;
  /** Adds the user with a role (Owner, Admin or Member), or changes the role of a member. */
  addUserToOrg(orgId: string, userId: string, role: string, by?: Actor): Promise<Membership>;
  /** Changes a member's role; not_found when the user is not a member. */
  changeUserRoleInOrg(orgId: string, userId: string, role: string, by?: Actor): Promise<Membership>;
  /** Removes a member (archiving the org keys they made when the leave rule is on). */
  removeUserFromOrg(
    orgId: string,
    userId: string,
    by?: Actor,
  ): Promise<{ archivedKeyIds: string[] }>;
  /** The user's memberships, each with its org. */
  fetchOrgsOfUser(userId: string): Promise<{ membership: Membership; org: Org }[]>;
  /** The org's members, each with the user, a page at a time. */
  fetchUsersInOrg(
    orgId: string,
    page?: PageRequest,
  ): Promise<Paged<{ membership: Membership; user: User }>>;
  /** The user's membership of the org, or null when they are not a member (or an id is unknown). */
  fetchMembership(orgId: string, userId: string): Promise<Membership | null>;

  // Integration keys (credentials for the backend REST API) ------------------

  /** Makes an integration key; its token is shown once. */
  createIntegrationKey(name: string, by?: Actor): Promise<CreatedIntegrationKey>;
  listIntegrationKeys(): Promise<IntegrationKeyView[]>;
  /** Archives an integration key: the backend API refuses it at once. */
  archiveIntegrationKey(id: string, by?: Actor): Promise<IntegrationKeyView>;
  /** The integration key an Authorization header (or bare token) carries, or null. */
  authenticateIntegrationKey(raw: unknown): Promise<IntegrationKeyView | null>;
  /** The same keys, for the backend API's middleware: a cached key is admitted in the same tick. */
  readonly integrationKeys: IntegrationKeys;

  // Settings -----------------------------------------------------------------

  /** The settings in force (a frozen value). */
  getSettings(): Settings;
  /** Applies a partial change after checking each field and the rules between them. */
  updateSettings(patch: SettingsPatch, by?: Actor): Promise<Settings>;
  /** Re-reads the settings now, for a change another process made, rather than at the next refresh. */
  reloadSettings(): Promise<Settings>;
  /**
   * Keeps a logo or favicon for the branding settings: a PNG, JPEG, GIF or WebP by its
   * bytes, at most 256 KB (SVG is refused). Name the answer in `branding.logo` to show it.
   */
  uploadBrandImage(
    bytes: Uint8Array,
    by?: Actor,
  ): Promise<{ assetId: string; contentType: string }>;
  /** A stored brand image, for serving it; null for an unknown id. */
  fetchBrandImage(assetId: string): Promise<BrandAsset | null>;

  // Dashboard admins and the audit log ---------------------------------------

  /** Adds a dashboard admin (separate from end users). */
  createAdmin(input: CreateAdminInput, by?: Actor): Promise<AdminView>;
  /** Removes an admin; refuses (conflict) to remove the last one. */
  deleteAdmin(adminId: string, by?: Actor): Promise<void>;
  listAdmins(): Promise<AdminView[]>;
  /** The admin with this id, or null. */
  fetchAdmin(adminId: string): Promise<AdminView | null>;
  /**
   * The admin with this email and password, or null, taking as long for an unknown email;
   * a match records the sign-in (`lastLoginAt`, and the audit log).
   */
  verifyAdminSignIn(email: string, password: string, by?: Actor): Promise<AdminView | null>;
  hasAdmin(): Promise<boolean>;
  /** A one-time token that lets the first admin register; it works until `ttlSeconds` (1 hour) pass. */
  issueAdminSetupToken(ttlSeconds?: number): Promise<string>;
  /** True once for a live setup token; the token is gone afterwards whatever the answer. */
  consumeAdminSetupToken(token: unknown): Promise<boolean>;
  /** `<baseUrl>/admin/setup?token=...` with a fresh setup token, or null when an admin exists. */
  adminSetupLinkIfNone(baseUrl: string, ttlSeconds?: number): Promise<string | null>;
  /** Audit events newest first, each filter an exact match, a page at a time. */
  listAuditEvents(filter?: AuditFilter, page?: PageRequest): Promise<Paged<AuditEvent>>;
  /**
   * The emails, names and key hints of the users, orgs, keys, admins and integration keys
   * these events point at, by id; an id left out no longer exists.
   */
  fetchAuditNames(events: AuditEvent[]): Promise<AuditNames>;

  // Webhooks -----------------------------------------------------------------

  /**
   * Webhook endpoints (each with its own signing secret, shown once), their delivery log,
   * resend and test events. Events themselves are written by the changes they report.
   */
  readonly webhooks: Webhooks;

  // Operations ---------------------------------------------------------------

  /** Attaches an observer of validations, the cache and sign-ins; returns its remover. */
  observe(observer: ValidationObserver): () => void;
  /**
   * Registers Prometheus metrics (prom-client) into `registry`, or a new registry, and
   * starts counting; off until called. Loads prom-client only then.
   */
  metrics(
    registry?: MetricsOptions['registry'],
    options?: Omit<MetricsOptions, 'registry'>,
  ): LatchkeyMetrics;
  /** A cheap store read within `timeoutMs`: null when it answered, else what failed. */
  checkStore(timeoutMs?: number): Promise<string | null>;
  /**
   * Deletes audit events, usage rows and archived keys older than the retention settings
   * keep, and webhook history (sent outbox events, finished deliveries, spent expiry claims)
   * older than 30 days, 500 rows at a time (also done hourly in the background).
   */
  runRetention(): Promise<RetentionPass>;
  /** Rows (documents) per table (collection), for the dashboard. */
  fetchTableSizes(): Promise<Record<string, number>>;
  /**
   * The store's kind, where it is (the SQLite file, or MongoDB's hosts and database without
   * credentials), how it runs and the last recorded backup, for the dashboard.
   */
  describeStore(): StoreDescription;

  // Lifecycle ----------------------------------------------------------------

  /**
   * Where the hosted pages and the dashboard keep their sessions: the store's session
   * records, for createHostedPages() and createAdminPages().
   */
  readonly pageSessions: PageSessions;
  /** Writes buffered usage and closes the store. Safe to call twice. */
  close(): Promise<void>;
}
