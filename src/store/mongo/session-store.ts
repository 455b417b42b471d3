import MongoSessionStore from 'connect-mongo';
import { mongoConnectOptions } from './connection';

export interface PageSessionStoreOptions {
  /** The same MONGODB_URI the Latchkey store uses. */
  uri: string;
  /** Defaults like the store's: the database in the URI, else "latchkey". */
  dbName?: string;
  /** Seconds a session lives without activity; MongoDB's TTL index removes it after that. */
  ttlSeconds: number;
  /** Default "page_sessions". */
  collectionName?: string;
  /**
   * Whether the server has TTL indexes (default true). Pass false where it has none
   * (FerretDB 1.x; `store.options.capabilities.ttlIndexes` says): expired sessions are then
   * deleted every ten minutes instead, and are never handed out meanwhile.
   */
  ttlIndexes?: boolean;
}

/**
 * An express-session store (connect-mongo) for the hosted and admin pages, in
 * the same database as the Latchkey store, so every Latchkey process sees the
 * same sessions. It opens its own small connection: connect-mongo is built on
 * its own copy of the MongoDB driver, and clients are not shared across copies.
 */
export function createPageSessionStore(options: PageSessionStoreOptions): MongoSessionStore {
  return MongoSessionStore.create({
    mongoUrl: options.uri,
    dbName: mongoConnectOptions(options).dbName,
    mongoOptions: { appName: 'latchkey-sessions', serverSelectionTimeoutMS: 5_000 },
    collectionName: options.collectionName ?? 'page_sessions',
    ttl: options.ttlSeconds,
    autoRemove: options.ttlIndexes === false ? 'interval' : 'native',
  });
}
