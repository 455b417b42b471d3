// The object createLatchkey() returns: every method of `interface Latchkey`, over the parts
// createLatchkey() wired. Kept apart from that wiring so each reads in one sitting.
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
import { rollApiKey } from './core/key-roll';
import * as memberships from './core/memberships';
import * as orgs from './core/orgs';
import { verifyPassword } from './core/passwords';
import { findBrandImage, saveBrandImage } from './core/branding-images';
import { SettingsHolder, updateSettings } from './core/settings';
import { UsageBuffer } from './core/usage-buffer';
import type { KeyKind } from './core/types';
import type { Validation } from './core/validation-result';
import * as users from './core/users';
import { Validator } from './core/validator';
import { InvalidKeyGuard } from './middleware/invalid-key-guard';
import {
  optionalApiKey,
  requireApiKey,
  type RequireApiKeyOptions,
} from './middleware/require-api-key';
import type { ScopeCatalog } from './core/scopes';
import type { Latchkey } from './latchkey-api';
import type { LatchkeyMetrics } from './metrics/types';
import { describeStore } from './store/describe-store';
import { runExpiryPass } from './core/key-expiry';
import type { startKeyNotices } from './core/key-notices';
import { handleLeakedKey, keyOfToken } from './core/leaked-keys';
import type { WebhookWorker } from './core/webhooks/delivery-worker';
import type { Webhooks } from './core/webhooks/endpoints';

/** What createLatchkey() wired, for the methods below (and the test harness). */
export interface LatchkeyParts {
  core: Core & { settingsHolder: SettingsHolder; usage: UsageBuffer };
  store: Store;
  validator: Validator;
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

export function publicApi(
  core: LatchkeyParts['core'],
  parts: {
    validator: Validator;
    invalidKeyGuard: InvalidKeyGuard;
    integrationKeys: IntegrationKeys;
    settingsHolder: SettingsHolder;
    usage: UsageBuffer;
    observers: Observers;
    retention: ReturnType<typeof startRetention> | null;
    keyNotices: ReturnType<typeof startKeyNotices>;
    webhooks: Webhooks;
    webhookWorker: WebhookWorker;
  },
): Latchkey {
  const { validator, invalidKeyGuard, integrationKeys, settingsHolder, usage, observers } = parts;
  const { store } = core;
  const { notices } = parts.keyNotices;
  let closed = false;
  const watched = observedValidations(observers);
  const metricsByRegistry = new Map<unknown, LatchkeyMetrics>();
  return {
    logger: core.logger,

    validateApiKey: (token, request) =>
      watched(undefined, () => validator.validate(token, undefined, request)),
    validatePersonalApiKey: (token, request) =>
      watched('personal', () => validator.validate(token, 'personal', request)) as Promise<
        Validation<PersonalKeyIdentity>
      >,
    validateOrgApiKey: (token, request) =>
      watched('org', () => validator.validate(token, 'org', request)) as Promise<
        Validation<OrgKeyIdentity>
      >,
    validateImportedApiKey: (token, request) =>
      watched(undefined, () => validator.validateImported(token, undefined, request)),
    validateApiKeyInline: (token, request) =>
      observers.active
        ? watched(undefined, () => validator.validate(token, undefined, request))
        : validator.validateInline(token, undefined, request),
    scopes: core.scopes,
    requireApiKey: (opts = {}) =>
      requireApiKey(validator, declared(core.scopes, opts), invalidKeyGuard, observers),
    optionalApiKey: (opts = {}) =>
      optionalApiKey(validator, declared(core.scopes, opts), invalidKeyGuard, observers),
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
    async reportLeakedToken(token, where = {}, by) {
      const key = await keyOfToken(core, token);
      return key ? handleLeakedKey(core, notices, key, where, by) : null;
    },
    reportLeakedKey: async (keyId, where = {}, by) =>
      handleLeakedKey(core, notices, await keys.requireKey(core, keyId), where, by),
    emailConfigured: notices.email !== null,
    runExpiryPass: () => runExpiryPass(core, notices),
    sendExpiryReminders: async () => (await runExpiryPass(core, notices)).emailed,

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
    webhooks: parts.webhooks,

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
    describeStore: () => describeStore(store),

    pageSessions: sessionsOf(store),
    async close() {
      if (closed) return;
      closed = true;
      settingsHolder.close();
      parts.retention?.stop();
      await parts.retention?.running();
      await parts.webhookWorker.stop();
      await parts.keyNotices.stop();
      await validator.quotas.close().catch((err: unknown) => {
        core.logger.warn({ err }, 'could not give unspent quota uses back');
      });
      await usage.close();
      await store.close();
    },
  };
}

/** Route options whose scope names are all declared; a typo fails at start-up, not per request. */
function declared(catalog: ScopeCatalog, opts: RequireApiKeyOptions): RequireApiKeyOptions {
  catalog.requireDeclared(opts.scopes ?? [], 'requireApiKey scopes');
  catalog.requireDeclared(opts.anyScope ?? [], 'requireApiKey anyScope');
  return opts;
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
