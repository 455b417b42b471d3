import type { Logger } from '../../logger';
import type { MongoStore } from './mongo-store';
import { watchKeyChanges, type KeyChange, type KeyChangeWatch } from './watch-key-changes';

/** The caches a Latchkey process keeps in front of the store. */
export interface CachedLookups {
  validator: { forget(digest: string): void; forgetAll(): void };
  settingsHolder: { reload(): Promise<unknown> };
}

/** Applies one change made by another process to this process's caches. */
export function applyKeyChange(caches: CachedLookups, change: KeyChange): void {
  if (change.scope === 'key' && change.digest) caches.validator.forget(change.digest);
  else caches.validator.forgetAll();
  if (change.scope === 'settings') void caches.settingsHolder.reload().catch(() => undefined);
}

/**
 * What the standalone server does on MongoDB: log when the connection drops and
 * comes back, drop cached lookups when another process changes keys, users, orgs,
 * memberships or settings (at once on replica sets, within a poll interval elsewhere),
 * and log once which of those paths it chose and why.
 */
export async function followMongoChanges(
  store: MongoStore,
  caches: CachedLookups,
  logger: Logger,
): Promise<KeyChangeWatch> {
  store.connection.on('disconnected', () =>
    logger.warn('MongoDB connection lost; requests that need it answer 503 until it is back'),
  );
  store.connection.on('reconnected', () => logger.info('MongoDB connection restored'));
  const watch = await watchKeyChanges(
    store,
    (change) => applyKeyChange(caches, change),
    (err) => logger.warn({ err }, 'MongoDB change stream stopped; caches fall back to their TTL'),
  );
  const caps = store.options.capabilities;
  const mode = {
    cascades: store.options.useTransactions ? 'transactions' : 'step by step, re-runnable',
    otherProcesses: watch.active
      ? 'change stream'
      : watch.pollMs !== null
        ? `change counter polled every ${watch.pollMs} ms`
        : 'cache TTL (CACHE_TTL_MS)',
    expiredSessions: caps && !caps.ttlIndexes ? 'swept by Latchkey' : 'TTL index',
  };
  logger.info({ ...mode, reasons: caps?.reasons ?? [] }, 'MongoDB mode chosen at start');
  return watch;
}
