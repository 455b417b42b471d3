import path from 'node:path';
import type { Router } from 'express';
import type { Actor, Core } from './core/context';
import * as directory from './core/directory';
import { IntegrationKeys } from './core/integration-keys';
import type { ApiKeyIdentity, OrgKeyIdentity, PersonalKeyIdentity } from './core/identity';
import * as keys from './core/keys';
import { memoryRateLimits, ValidationRateLimits, type RateLimitBackend } from './core/rate-limits';
import { SettingsHolder, updateSettings } from './core/settings';
import type { RateLimit, Settings } from './core/types';
import { UsageBuffer } from './core/usage-buffer';
import type { Validation } from './core/validation-result';
import { Validator } from './core/validator';
import type { ResolveUser } from './http/pages/current-user';
import { createHostedPages, type HostedPagesOptions } from './http/pages/hosted-pages';
import { InvalidKeyGuard } from './http/invalid-key-guard';
import { requireApiKey, optionalApiKey, type RequireApiKeyOptions } from './http/require-api-key';
import { createLogger, type Logger } from './logger';
import type { Store } from './core/store';
import { storeRateLimits } from './store/shared-rate-limits';
import { createSqliteStore } from './store/sqlite';

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
   * Embedded mode: the host app's sign-in stands in for Latchkey's. Given a
   * request, returns the Latchkey user id of whoever is signed in, or null.
   * `hostedPages()` then takes the user from here and serves no sign-in page.
   */
  resolveUser?: ResolveUser;
  /**
   * Where validation rate-limit counts live: 'memory' (default, per process), 'store'
   * (the store's own database, shared by every process using it) or a custom backend.
   */
  rateLimitBackend?: 'memory' | 'store' | RateLimitBackend;
  /** Failed validations one IP may make per minute in requireApiKey() (default 60; 0 = off). */
  invalidKeyLimitPerMinute?: number;
}

export const DEFAULT_CACHE_TTL_MS = 10_000;
export const DEFAULT_INVALID_KEY_LIMIT_PER_MINUTE = 60;

/** Creates an in-process Latchkey: validation, middleware and management functions. */
export async function createLatchkey(options: LatchkeyOptions = {}) {
  const logger = options.logger ?? createLogger();
  const store =
    options.store ?? createSqliteStore(options.databasePath ?? path.join('data', 'latchkey.db'));
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const settingsHolder = await SettingsHolder.load(store, cacheTtlMs);
  const usage = new UsageBuffer(
    store,
    (err) => logger.error({ err }, 'writing key usage failed; will retry'),
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
  });
  // Verdicts carry what the settings made of them (permissions, for one): a new value drops them.
  settingsHolder.whenChanged(() => validator.forgetAll());
  const invalidKeyGuard = new InvalidKeyGuard({
    failuresPerMinute: options.invalidKeyLimitPerMinute ?? DEFAULT_INVALID_KEY_LIMIT_PER_MINUTE,
  });
  const core: Core & { settingsHolder: SettingsHolder; usage: UsageBuffer } = {
    store,
    settings,
    validator,
    logger,
    bcryptCost: options.bcryptCost ?? 12,
    settingsHolder,
    usage,
  };

  const integrationKeys = new IntegrationKeys(core, cacheTtlMs);

  const validateApiKey = (token: unknown): Promise<Validation> => validator.validate(token);
  const validatePersonalApiKey = (token: unknown) =>
    validator.validate(token, 'personal') as Promise<Validation<PersonalKeyIdentity>>;
  const validateOrgApiKey = (token: unknown) =>
    validator.validate(token, 'org') as Promise<Validation<OrgKeyIdentity>>;
  const validateImportedApiKey = (token: unknown): Promise<Validation<ApiKeyIdentity>> =>
    validator.validateImported(token);

  let closed = false;
  const latchkey = {
    core,
    store,
    logger,

    // Validation
    validateApiKey,
    validatePersonalApiKey,
    validateOrgApiKey,
    validateImportedApiKey,
    requireApiKey: (opts: RequireApiKeyOptions = {}) =>
      requireApiKey(validator, opts, invalidKeyGuard),
    optionalApiKey: (opts: RequireApiKeyOptions = {}) =>
      optionalApiKey(validator, opts, invalidKeyGuard),
    /** Slows and refuses IPs that keep sending invalid keys; for other routes that take keys. */
    invalidKeyGuard,

    // Keys
    createApiKey: (
      input: {
        userId?: string;
        orgId?: string;
        displayName?: string;
        expiresAt?: number | null;
        metadata?: Record<string, unknown>;
        rateLimit?: RateLimit | null;
      },
      by?: Actor,
    ) => keys.createApiKey(core, input, by),
    importApiKey: (
      input: {
        token: string;
        userId?: string;
        orgId?: string;
        displayName?: string;
        expiresAt?: number | null;
        metadata?: Record<string, unknown>;
        rateLimit?: RateLimit | null;
      },
      by?: Actor,
    ) => keys.importApiKey(core, input, by),
    fetchApiKey: (keyId: string) => keys.fetchApiKey(core, keyId),
    updateApiKey: (keyId: string, update: keys.KeyUpdate, by?: Actor) =>
      keys.updateApiKey(core, keyId, update, by),
    archiveApiKey: (keyId: string, by?: Actor) => keys.archiveApiKey(core, keyId, by),
    listApiKeys: (query?: keys.KeyListQuery) => keys.listApiKeys(core, query),
    fetchApiKeyUsage: (query?: keys.UsageQuery) => keys.apiKeyUsage(core, query),

    // Users
    createUser: (
      input: { email: string; password?: string } & Record<string, unknown>,
      by?: Actor,
    ) => directory.createUser(core, input, by),
    fetchUser: (userId: string) => directory.getUser(core, userId),
    fetchUserByEmail: (email: string) => directory.findUserByEmail(core, email),
    listUsers: (filter: { emailContains?: string } = {}, page?: directory.PageRequest) =>
      directory.listUsers(core, filter, page),
    updateUser: (userId: string, input: Record<string, unknown>, by?: Actor) =>
      directory.updateUser(core, userId, input, by),
    setUserPassword: (userId: string, password: string, by?: Actor) =>
      directory.setUserPassword(core, userId, password, by),
    disableUser: (userId: string, by?: Actor) => directory.setUserEnabled(core, userId, false, by),
    enableUser: (userId: string, by?: Actor) => directory.setUserEnabled(core, userId, true, by),
    lockUser: (userId: string, by?: Actor) => directory.setUserLocked(core, userId, true, by),
    unlockUser: (userId: string, by?: Actor) => directory.setUserLocked(core, userId, false, by),
    deleteUser: (userId: string, by?: Actor) => directory.deleteUser(core, userId, by),
    verifyPassword: directory.verifyPassword,

    // Orgs and memberships
    createOrg: (
      input: { name: string; urlSafeName?: string; metadata?: Record<string, unknown> },
      by?: Actor,
    ) => directory.createOrg(core, input, by),
    fetchOrg: (orgId: string) => directory.getOrg(core, orgId),
    listOrgs: (filter: { nameContains?: string } = {}, page?: directory.PageRequest) =>
      directory.listOrgs(core, filter, page),
    updateOrg: (
      orgId: string,
      input: { name?: string; urlSafeName?: string; metadata?: Record<string, unknown> },
      by?: Actor,
    ) => directory.updateOrg(core, orgId, input, by),
    deleteOrg: (orgId: string, by?: Actor) => directory.deleteOrg(core, orgId, by),
    addUserToOrg: (orgId: string, userId: string, role: string, by?: Actor) =>
      directory.addMember(core, orgId, userId, role, by),
    changeUserRoleInOrg: (orgId: string, userId: string, role: string, by?: Actor) =>
      directory.changeRole(core, orgId, userId, role, by),
    removeUserFromOrg: (orgId: string, userId: string, by?: Actor) =>
      directory.removeMember(core, orgId, userId, by),
    fetchOrgsOfUser: (userId: string) => directory.membershipsOfUser(core, userId),
    fetchUsersInOrg: (orgId: string, page?: directory.PageRequest) =>
      directory.membersOfOrg(core, orgId, page),

    // Integration keys (credentials for the backend REST API)
    createIntegrationKey: (name: string, by?: Actor) => integrationKeys.create(name, by),
    listIntegrationKeys: () => integrationKeys.list(),
    archiveIntegrationKey: (id: string, by?: Actor) => integrationKeys.archive(id, by),
    authenticateIntegrationKey: (raw: unknown) => integrationKeys.authenticate(raw),
    /** The same keys, for the backend API's middleware: a cached key is admitted in the same tick. */
    integrationKeys,

    // Settings
    getSettings: (): Settings => settings(),
    updateSettings: (patch: Partial<Settings>, by?: Actor) => updateSettings(core, patch, by),

    /**
     * The hosted key-management pages as an Express router, e.g.
     * `app.use('/account', latchkey.hostedPages())`. Uses `resolveUser` when given.
     */
    hostedPages(pageOptions: HostedPagesOptions = {}): Router {
      return createHostedPages(latchkey, { resolveUser: options.resolveUser, ...pageOptions });
    },

    /** Writes buffered usage and closes the store. Safe to call twice. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      settingsHolder.close();
      await usage.close();
      await store.close();
    },
  };
  return latchkey;
}

export type Latchkey = Awaited<ReturnType<typeof createLatchkey>>;
