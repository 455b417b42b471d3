import type { Store } from '../core/store';
import type { MongoStoreOptions } from './mongo/mongo-store';
import { lastBackup, type BackupRecord } from './sqlite/backup';
import { isSqliteStore, type SqliteStore } from './sqlite/sqlite-store';

/** Which database a store uses and how, safe to show: never a credential. */
export interface StoreDescription {
  kind: 'sqlite' | 'mongo';
  /** SQLite: the database file (':memory:' for none); MongoDB: hosts and database, no credentials. */
  location: string;
  /** How it runs: SQLite's journal mode; MongoDB's transactions and change following. */
  mode: string;
  /** SQLite: the last backup `latchkey backup` recorded beside the file, if any. */
  lastBackup: BackupRecord | null;
}

/** What a mongoose connection tells of its address (public driver options, no password read). */
interface MongoConnectionLike {
  name?: string;
  getClient?(): {
    options?: { hosts?: unknown[]; srvHost?: string; credentials?: unknown; dbName?: string };
  };
}

function describeSqlite(store: SqliteStore): StoreDescription {
  const { db } = store;
  const file = db.memory ? ':memory:' : db.name;
  const journal = String(db.pragma('journal_mode', { simple: true })).toUpperCase();
  return {
    kind: 'sqlite',
    location: file,
    mode: db.memory ? 'in memory (nothing is kept after exit)' : `file, ${journal} journal`,
    lastBackup: db.memory ? null : lastBackup(file),
  };
}

function describeMongo(store: Store): StoreDescription {
  const connection = (store as { connection?: MongoConnectionLike }).connection;
  const options = connection?.getClient?.().options;
  const hosts = options?.srvHost ?? (options?.hosts ?? []).map(String).join(',');
  const dbName = connection?.name ?? options?.dbName ?? '';
  // Loaded only for a MongoDB store, when mongoose is loaded already.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { redactMongoUri } = require('./mongo/connection') as typeof import('./mongo/connection');
  const location = hosts
    ? redactMongoUri(
        `mongodb${options?.srvHost ? '+srv' : ''}://${options?.credentials ? 'user@' : ''}${hosts}/${dbName}`,
      )
    : '(address unknown)';
  const settings = (store as { options?: MongoStoreOptions }).options;
  const follows = settings?.capabilities?.changeStreams
    ? 'change streams'
    : settings?.countChanges
      ? 'change counter polling'
      : 'no change following';
  const cascades = settings?.useTransactions ? 'transactions' : 'no transactions';
  return { kind: 'mongo', location, mode: `${cascades}, ${follows}`, lastBackup: null };
}

/** Describes the store a Latchkey runs on, for the dashboard's health page. */
export function describeStore(store: Store): StoreDescription {
  if (isSqliteStore(store)) return describeSqlite(store);
  if (store.kind === 'mongo') return describeMongo(store);
  return { kind: store.kind, location: '(a custom store)', mode: 'unknown', lastBackup: null };
}
