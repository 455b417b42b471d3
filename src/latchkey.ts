import { rollApiKey } from './core/key-roll';
import path from 'node:path';
import type { PageSessions, Store } from './core/store';
import * as admins from './core/admins';
import { auditNames, listAuditEvents } from './core/audit-log';
import type { Core } from './core/context';
import { IntegrationKeys } from './core/integration-keys';
import type { OrgKeyIdentity, PersonalKeyIdentity } from './core/identity';
import { listApiKeys } from './core/key-lists';
import { runRetention, startRetention } from './core/retention';
import { labelsOf, monotonicSeconds, Observers } from './core/observer';
import { apiKeyUsage, apiKeyUsageByDay } from './core/key-usage';
import * as keys from './core/keys';
import * as memberships from './core/memberships';
import * as orgs from './core/orgs';
import { decoyHash, verifyPassword } from './core/passwords';
import { memoryRateLimits, ValidationRateLimits, type RateLimitBackend } from './core/rate-limits';
import { findBrandImage, saveBrandImage } from './core/branding-images';
import { SettingsHolder, updateSettings } from './core/settings';
import { UsageBuffer } from './core/usage-buffer';
import type { KeyKind } from './core/types';
import type { Validation } from './core/validation-result';
import * as users from './core/users';
import { Validator } from './core/validator';
import { InvalidKeyGuard } from './middleware/invalid-key-guard';
import { optionalApiKey, requireApiKey } from './middleware/require-api-key';
import type { Latchkey } from './latchkey-api';
import { createLogger, type Logger } from './logger';
import type { LatchkeyMetrics } from './metrics/types';
import { storeRateLimits } from './store/shared-rate-limits';
import { createSqliteStore } from './store/sqlite';

export type { Latchkey, SettingsPatch } from './latchkey-api';

export interface LatchkeyOptions {
  /** A ready store; when omitted an SQLite file at `databasePath` is opened. */
  store?: Store;
  /** SQLite file (default ./data/latchkey.db); ':memory:' for a throwaway store. */
  databasePath?: string;
  logger?: Logger;
  /** How long a validation lookup is reused in this process (default 10 s; 0 = off). */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** How often buffered usage counts are written (default 5 s). */
  usageFlushIntervalMs?: number;
  /** bcrypt cost for passwords (default 12). */
  bcryptCost?: number;
  /**
   * Where validation rate-limit counts live: 'memory' (default, per process), 'store'
   * (the store's own database, shared by every process using it) or a custom backend.
   */
  rateLimitBackend?: 'memory' | 'store' | RateLimitBackend;
  /** Failed validations one IP may make per minute in requireApiKey() (default 60; 0 = off). */
  invalidKeyLimitPerMinute?: number;
  /** How often old audit events, usage rows and archived keys are deleted (default 1 h; 0 = never). */
  retentionIntervalMs?: number;
  /**
   * Uses of a quota key that this process takes from the store at once (default 10): larger
   * means fewer store writes, smaller means fewer uses held back from other processes.
   */
  quotaLeaseSize?: number;
}

export const DEFAULT_CACHE_TTL_MS = 10_000;
export const DEFAULT_INVALID_KEY_LIMIT_PER_MINUTE = 60;

/** What a Latchkey is built from; its own tests reach these, callers never do. */
export interface LatchkeyParts {
  core: Core & { settingsHolder: SettingsHolder; usage: UsageBuffer };
  store: Store;
  validator: Validator;
}

/** Creates an in-process Latchkey: validation, middleware and management functions. */
export async function createLatchkey(options: LatchkeyOptions = {}): Promise<Latchkey> {
  return (await assembleLatchkey(options)).latchkey;
}

/** Builds a Latchkey and hands back the parts it is made of beside it. */
export async function assembleLatchkey(
  options: LatchkeyOptions = {},
): Promise<{ latchkey: Latchkey; parts: LatchkeyParts }> {
  const logger = options.logger ?? createLogger();
  const store =
    options.store ?? createSqliteStore(options.databasePath ?? path.join('data', 'latchkey.db'));
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const settingsHolder = await SettingsHolder.load(store, cacheTtlMs);
  const observers = new Observers();
  const usage = new UsageBuffer(
    store,
    (err) => {
      observers.onStoreError('usage_flush');
      logger.error({ err }, 'writing key usage failed; will retry');
    },
    options.usageFlushIntervalMs ?? 5_000,
  );
  const settings = () => settingsHolder.current();
  const backend = options.rateLimitBackend ?? 'memory';
  const rateLimits = new ValidationRateLimits(
    backend === 'memory'
      ? memoryRateLimits()
      : backend === 'store'
        ? storeRateLimits(store, {
            failing: (err) =>
              logger.error(
                { err },
                'shared rate-limit counts unavailable: each process counts on its own until the store answers',
              ),
            recovered: () => logger.warn('shared rate-limit counts available again'),
          })
        : backend,
  );
  const validator = new Validator(store, settings, usage, {
    cacheTtlMs,
    cacheMaxEntries: options.cacheMaxEntries ?? 10_000,
    rateLimits,
    observer: observers,
    quotaLeaseSize: options.quotaLeaseSize,
  });
  // Verdicts carry what the settings made of them (permissions, for one): a new value drops them.
  settingsHolder.whenChanged(() => validator.forgetAll());
  const invalidKeyGuard = new InvalidKeyGuard({
    failuresPerMinute: options.invalidKeyLimitPerMinute ?? DEFAULT_INVALID_KEY_LIMIT_PER_MINUTE,
  });
  const core: LatchkeyParts['core'] = {
    store,
    settings,
    validator,
    logger,
    bcryptCost: options.bcryptCost ?? 12,
    settingsHolder,
    usage,
  };

  const retentionEvery = options.retentionIntervalMs ?? 3_600_000;
  const retention =
    retentionEvery > 0
      ? startRetention(store, settings, retentionEvery, observers, (err) =>
          logger.error({ err }, 'deleting old records failed; will retry'),
        )
      : null;
  const integrationKeys = new IntegrationKeys(core, cacheTtlMs);
  // Made now, so the first sign-in with an unknown email takes no longer than later ones.
  void decoyHash(core).catch(() => undefined);
  const latchkey = publicApi(core, {
    validator,
    invalidKeyGuard,
    integrationKeys,
    settingsHolder,
    usage,
    observers,
    retention,
  });
  return { latchkey, parts: { core, store, validator } };
}

/** The session records of a store, and nothing else of it. */
const sessionsOf = (store: Store): PageSessions => ({
  getSession: (sid, now) => store.getSession(sid, now),
  setSession: (sid, record) => store.setSession(sid, record),
  destroySession: (sid) => store.destroySession(sid),
  pruneSessions: (now) => store.pruneSessions(now),
  getOwnerStamp: (owner) => store.getOwnerStamp(owner),
  setOwnerStamp: (owner, stamp) => store.setOwnerStamp(owner, stamp),
});

function publicApi(
  core: LatchkeyParts['core'],
  parts: {
    validator: Validator;
    invalidKeyGuard: InvalidKeyGuard;
    integrationKeys: IntegrationKeys;
    settingsHolder: SettingsHolder;
    usage: UsageBuffer;
    observers: Observers;
    retention: ReturnType<typeof startRetention> | null;
  },
): Latchkey {
  const { validator, invalidKeyGuard, integrationKeys, settingsHolder, usage, observers } = parts;
  const { store } = core;
  let closed = false;
  const watched = observedValidations(observers);
  const metricsByRegistry = new Map<unknown, LatchkeyMetrics>();
  return {
    logger: core.logger,

    validateApiKey: (token) => watched(undefined, () => validator.validate(token)),
    validatePersonalApiKey: (token) =>
      watched('personal', () => validator.validate(token, 'personal')) as Promise<
        Validation<PersonalKeyIdentity>
      >,
    validateOrgApiKey: (token) =>
      watched('org', () => validator.validate(token, 'org')) as Promise<Validation<OrgKeyIdentity>>,
    validateImportedApiKey: (token) => watched(undefined, () => validator.validateImported(token)),
    validateApiKeyInline: (token, cost) =>
      observers.active
        ? watched(undefined, () => validator.validate(token, undefined, cost))
        : validator.validateInline(token, undefined, cost),
    requireApiKey: (opts = {}) => requireApiKey(validator, opts, invalidKeyGuard, observers),
    optionalApiKey: (opts = {}) => optionalApiKey(validator, opts, invalidKeyGuard, observers),
    invalidKeyGuard,
    forgetCachedValidations: (digest) =>
      digest === undefined ? validator.forgetAll() : validator.forget(digest),

    createApiKey: (input, by) => keys.createApiKey(core, input, by),
    importApiKey: (input, by) => keys.importApiKey(core, input, by),
    fetchApiKey: (keyId) => keys.fetchApiKey(core, keyId),
    updateApiKey: (keyId, update, by) => keys.updateApiKey(core, keyId, update, by),
    archiveApiKey: (keyId, by) => keys.archiveApiKey(core, keyId, by),
    rollApiKey: (keyId, options, by) => rollApiKey(core, keyId, options, by),
    listApiKeys: (query) => listApiKeys(core, query),
    fetchApiKeyUsage: (query) => apiKeyUsage(core, query),
    fetchApiKeyUsageByDay: (query) => apiKeyUsageByDay(core, query),
    flushUsage: () => usage.flush(),

    createUser: (input, by) => users.createUser(core, input, by),
    fetchUser: (userId) => users.getUser(core, userId),
    fetchUserByEmail: (email) => users.findUserByEmail(core, email),
    listUsers: (filter = {}, page) => users.listUsers(core, filter, page),
    updateUser: (userId, input, by) => users.updateUser(core, userId, input, by),
    setUserPassword: (userId, password, by) => users.setUserPassword(core, userId, password, by),
    disableUser: (userId, by) => users.setUserEnabled(core, userId, false, by),
    enableUser: (userId, by) => users.setUserEnabled(core, userId, true, by),
    lockUser: (userId, by) => users.setUserLocked(core, userId, true, by),
    unlockUser: (userId, by) => users.setUserLocked(core, userId, false, by),
    deleteUser: (userId, by) => users.deleteUser(core, userId, by),
    verifyPassword,
    verifyUserSignIn: async (email, password) => {
      const user = await users.verifyUserSignIn(core, email, password);
      if (!user) observers.onSignInFailure('pages');
      return user;
    },
    recordSignIn: (userId, by) => users.recordSignIn(core, userId, by),

    createOrg: (input, by) => orgs.createOrg(core, input, by),
    fetchOrg: (orgId) => orgs.getOrg(core, orgId),
    listOrgs: (filter = {}, page) => orgs.listOrgs(core, filter, page),
    updateOrg: (orgId, input, by) => orgs.updateOrg(core, orgId, input, by),
    deleteOrg: (orgId, by) => orgs.deleteOrg(core, orgId, by),
    addUserToOrg: (orgId, userId, role, by) => memberships.addMember(core, orgId, userId, role, by),
    changeUserRoleInOrg: (orgId, userId, role, by) =>
      memberships.changeRole(core, orgId, userId, role, by),
    removeUserFromOrg: (orgId, userId, by) => memberships.removeMember(core, orgId, userId, by),
    fetchOrgsOfUser: (userId) => memberships.membershipsOfUser(core, userId),
    fetchUsersInOrg: (orgId, page) => memberships.membersOfOrg(core, orgId, page),
    fetchMembership: (orgId, userId) => memberships.findMembership(core, orgId, userId),

    createIntegrationKey: (name, by) => integrationKeys.create(name, by),
    listIntegrationKeys: () => integrationKeys.list(),
    archiveIntegrationKey: (id, by) => integrationKeys.archive(id, by),
    authenticateIntegrationKey: (raw) => integrationKeys.authenticate(raw),
    integrationKeys,

    getSettings: () => core.settings(),
    updateSettings: (patch, by) => updateSettings(core, patch, by),
    reloadSettings: () => settingsHolder.reload(),
    uploadBrandImage: (bytes, by) => saveBrandImage(core, bytes, by),
    fetchBrandImage: (assetId) => findBrandImage(core, assetId),

    createAdmin: (input, by) => admins.createAdmin(core, input, by),
    deleteAdmin: (adminId, by) => admins.deleteAdmin(core, adminId, by),
    listAdmins: () => admins.listAdmins(core),
    fetchAdmin: (adminId) => admins.findAdmin(core, adminId),
    verifyAdminSignIn: async (email, password, by) => {
      const admin = await admins.verifyAdminSignIn(core, email, password, by);
      if (!admin) observers.onSignInFailure('admin');
      return admin;
    },
    hasAdmin: () => admins.hasAdmin(core),
    issueAdminSetupToken: (ttlSeconds) => admins.issueSetupToken(core, ttlSeconds),
    consumeAdminSetupToken: (token) => admins.consumeSetupToken(core, token),
    adminSetupLinkIfNone: (baseUrl, ttlSeconds) =>
      admins.setupLinkIfNoAdmin(core, baseUrl, ttlSeconds),
    listAuditEvents: (filter, page) => listAuditEvents(core, filter, page),
    fetchAuditNames: (events) => auditNames(core, events),

    observe: (observer) => observers.add(observer),
    metrics(registry, options = {}) {
      const known = metricsByRegistry.get(registry);
      if (known) return known;
      // Loaded on first use, so a host that never asks for metrics never loads prom-client.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const prometheus = require('./metrics/prometheus') as typeof import('./metrics/prometheus');
      const made = prometheus.registerLatchkeyMetrics(
        { ...options, registry },
        {
          usagePendingEntries: () => usage.pendingEntries,
          usageFlushLagSeconds: () => usage.flushLagSeconds,
        },
      );
      observers.add(made.observer);
      metricsByRegistry.set(registry, made.metrics);
      return made.metrics;
    },
    checkStore: (timeoutMs = 2_000) => checkStore(store, timeoutMs, observers),
    runRetention: () => runRetention(store, core.settings()),
    fetchTableSizes: () => store.tableSizes(),

    pageSessions: sessionsOf(store),
    async close() {
      if (closed) return;
      closed = true;
      settingsHolder.close();
      parts.retention?.stop();
      await parts.retention?.running();
      await validator.quotas.close().catch((err: unknown) => {
        core.logger.warn({ err }, 'could not give unspent quota uses back');
      });
      await usage.close();
      await store.close();
    },
  };
}

/** The validate functions, timed and counted while someone observes them. */
function observedValidations(observers: Observers) {
  return (
    expected: KeyKind | undefined,
    validate: () => Promise<Validation>,
  ): Promise<Validation> => {
    if (!observers.active) return validate();
    const started = monotonicSeconds();
    return validate().then(
      (result) => {
        observers.onValidation(...labelsOf(result, expected), monotonicSeconds() - started);
        return result;
      },
      (err: unknown) => {
        observers.onStoreError('validate');
        throw err;
      },
    );
  };
}

/**
 * A cheap read of the settings record (and, on MongoDB, the connection state), failing
 * after `timeoutMs`: null when the store answered, else a reason without credentials.
 */
async function checkStore(
  store: Store,
  timeoutMs: number,
  observers: Observers,
): Promise<string | null> {
  const connection = (store as { connection?: { readyState?: number } }).connection;
  // mongoose: 1 = connected.
  if (store.kind === 'mongo' && connection?.readyState !== 1)
    return `MongoDB connection is not open (state ${connection?.readyState ?? 'unknown'})`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([store.getSettings().then(() => null), timeout]);
  } catch (err) {
    observers.onStoreError('readiness');
    return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  } finally {
    clearTimeout(timer);
  }
}
