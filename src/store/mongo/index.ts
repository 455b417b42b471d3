import { detectCapabilities } from './capabilities';
import { connectMongo, connectionFailure, type MongoConnectionConfig } from './connection';
import { defineModels } from './models';
import { outagesAsUnavailable } from './mongo-errors';
import { MongoStore } from './mongo-store';
import type { OwnerLockOptions } from './owner-lock';

export interface CreateMongoStoreOptions extends MongoConnectionConfig {
  /** Prefix for every collection name, e.g. "latchkey_" when sharing a database. Default none. */
  collectionPrefix?: string;
  /** 'auto' (default) uses transactions for cascades when the deployment has them. */
  transactions?: 'auto' | 'always' | 'never';
  ownerLock?: OwnerLockOptions;
}

/**
 * Connects to MongoDB, creates the collections and indexes, and returns the
 * store. A failure to connect rejects with an Error naming MONGODB_URI and the
 * address without credentials.
 */
export async function createMongoStore(options: CreateMongoStoreOptions): Promise<MongoStore> {
  const conn = await connectMongo(options);
  try {
    const capabilities = await detectCapabilities(conn, options.collectionPrefix);
    const models = defineModels(conn, options.collectionPrefix, capabilities);
    await Promise.all(Object.values(models).map((model) => model.init()));
    const useTransactions =
      options.transactions === 'always' ||
      (options.transactions !== 'never' && capabilities.transactions);
    const store = new MongoStore(conn, models, {
      useTransactions,
      ownerLock: options.ownerLock,
      countChanges: !capabilities.changeStreams,
      capabilities,
    });
    return outagesAsUnavailable(store);
  } catch (e) {
    await conn.close().catch(() => undefined);
    // Most often a unique index that existing documents violate.
    throw connectionFailure(
      options.uri,
      e,
      'Could not prepare the collections and indexes',
      options.uriSource,
    );
  }
}

export { MongoStore, type MongoStoreOptions } from './mongo-store';
export type { MongoCapabilities } from './capabilities';
export { isMongoUri, redactMongoUri } from './connection';
export { applyKeyChange, followMongoChanges, type CachedLookups } from './follow-changes';
export { createPageSessionStore, type PageSessionStoreOptions } from './session-store';
export { watchKeyChanges, type KeyChange, type KeyChangeWatch } from './watch-key-changes';
