import path from 'node:path';
import type { Store } from './core/store';
import { IntegrationKeys } from './core/integration-keys';
import { startRetention } from './core/retention';
import { Observers } from './core/observer';
import { decoyHash } from './core/passwords';
import type { KeyEventListener } from './core/key-events';
import { startKeyNotices } from './core/key-notices';
import type { EmailOptions } from './core/mailer';
import { memoryRateLimits, ValidationRateLimits, type RateLimitBackend } from './core/rate-limits';
import { SettingsHolder } from './core/settings';
import type { Consistency } from './core/strict-consistency';
import { ScopeCatalog, type ScopesOption } from './core/scopes';
import { UsageBuffer } from './core/usage-buffer';
import { WebhookWorker } from './core/webhooks/delivery-worker';
import { Webhooks } from './core/webhooks/endpoints';
import { Validator } from './core/validator';
import { InvalidKeyGuard } from './middleware/invalid-key-guard';
import type { Latchkey } from './latchkey-api';
import { createLogger, type Logger } from './logger';
import { storeRateLimits } from './store/shared-rate-limits';
import { createSqliteStore } from './store/sqlite';
import { publicApi, type LatchkeyParts } from './latchkey-methods';

export type { LatchkeyParts };

export type { Latchkey, SettingsPatch } from './latchkey-api';
export type { StoreDescription } from './store/describe-store';

export interface LatchkeyOptions {
  /** A ready store; when omitted an SQLite file at `databasePath` is opened. */
  store?: Store;
  /** SQLite file (default ./data/latchkey.db); ':memory:' for a throwaway store. */
  databasePath?: string;
  logger?: Logger;
  /**
   * How fresh validations are (docs/library.md, "Consistency"). 'bounded' (default):
   * lookups are reused for `cacheTtlMs`; changes through this process show at once, other
   * processes' changes within the TTL. 'strict': every validation observes every change
   * committed before it started, by any process (on SQLite one cheap read per validation).
   */
  consistency?: Consistency;
  /** How long a validation lookup is reused in this process (default 10 s; 0 = off). */
  cacheTtlMs?: number;
  /** `false` turns the validation cache off (for debugging and benchmarks): `cacheTtlMs: 0`. */
  cache?: boolean;
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
  /** Email to key owners (expiry reminders, leaked-key notices); without it none is sent. */
  email?: EmailOptions;
  /**
   * How often this process runs the expiry job (default 1 h; 0 = never): `api_key.expired`
   * for keys whose expiry passed, `api_key.expiring` and, with `email`, reminders for keys
   * about to expire. `email.reminderIntervalMs`, when given, is used instead.
   */
  expiryIntervalMs?: number;
  /** Hears `api_key.leaked`, `api_key.expiring` and `api_key.expired` as they happen. */
  onKeyEvent?: KeyEventListener;
  /** Send webhooks to loopback, private and link-local addresses too (default false). */
  webhookAllowPrivateNetworks?: boolean;
  /** How long one webhook delivery attempt may take (default 10 s). */
  webhookTimeoutMs?: number;
  /** How often this process sends due webhook deliveries (default 1 s; 0 = never). */
  webhookDeliveryIntervalMs?: number;
  /**
   * The scopes keys may hold: a list of `{ name, description?, kinds? }`, or
   * `{ scopes, defaultScopes }` where defaultScopes ("all" unless given) is the set a key
   * created without any gets.
   */
  scopes?: ScopesOption;
  /**
   * Uses of a quota key that this process takes from the store at once (default 10): larger
   * means fewer store writes, smaller means fewer uses held back from other processes.
   */
  quotaLeaseSize?: number;
}

export const DEFAULT_CACHE_TTL_MS = 10_000;
export const DEFAULT_INVALID_KEY_LIMIT_PER_MINUTE = 60;

/** What a Latchkey is built from; its own tests reach these, callers never do. */
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
  const cacheTtlMs = options.cache === false ? 0 : (options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS);
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
  const scopes = new ScopeCatalog(options.scopes);
  const validator = new Validator(store, settings, usage, {
    scopes,
    cacheTtlMs,
    cacheMaxEntries: options.cacheMaxEntries ?? 10_000,
    rateLimits,
    observer: observers,
    consistency: options.consistency ?? 'bounded',
    reloadSettings: () => settingsHolder.reload(),
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
    scopes,
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
  // Leaked-key and expiry events go to the webhook outbox from the core; the host's own
  // listener hears them too when it gave one.
  const keyNotices = startKeyNotices(
    core,
    options.email,
    options.onKeyEvent,
    options.email?.reminderIntervalMs ?? options.expiryIntervalMs ?? 3_600_000,
  );
  const networkPolicy = { allowPrivateNetworks: options.webhookAllowPrivateNetworks ?? false };
  const webhookWorker = new WebhookWorker(store, logger, {
    ...networkPolicy,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    pollIntervalMs: options.webhookDeliveryIntervalMs ?? 1_000,
  });
  if ((options.webhookDeliveryIntervalMs ?? 1_000) > 0) webhookWorker.start();
  const webhooks = new Webhooks(core, networkPolicy, webhookWorker);
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
    keyNotices,
    webhooks,
    webhookWorker,
  });
  return { latchkey, parts: { core, store, validator } };
}
