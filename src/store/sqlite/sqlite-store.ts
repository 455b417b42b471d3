import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  AdminRecords,
  DirectoryRecords,
  EventRecords,
  PageSessions,
  ReminderRecords,
  RetentionRecords,
  Store,
  UsageRecords,
} from '../../core/store';
import { sqliteAdminRecords } from './admin-records';
import { sqliteDirectoryRecords } from './directory-records';
import { sqliteEventRecords } from './event-records';
import { sqliteKeyRecords, type SqliteKeyRecords } from './key-records';
import { migrate } from './migrations';
import { sqlitePageSessions } from './page-sessions';
import { sqliteReminderRecords } from './reminder-records';
import { Sql } from './sql';
import { checkSqliteFile, fileFailuresAsUnavailable } from './sqlite-health';
import { sqliteUsageRecords } from './usage-records';
import { sqliteRetention } from './retention';

/** Address space, not memory: the OS pages in only what lookups touch. */
const MMAP_BYTES = 1024 * 1024 * 1024;

/**
 * Opens (creating if needed) an SQLite database file, or ':memory:'. Throws for a file
 * that is damaged or cannot be written (see checkSqliteFile).
 */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Key lookups read the file through a memory map instead of a read() per page
  // that misses SQLite's cache: with a million keys that miss is most lookups.
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  db.pragma('foreign_keys = ON');
  checkSqliteFile(db);
  migrate(db);
  return db;
}

/** Every role of the store port, each built by its own file over one database. */
type SqliteRoles = SqliteKeyRecords &
  DirectoryRecords &
  UsageRecords &
  AdminRecords &
  PageSessions &
  RetentionRecords &
  ReminderRecords &
  EventRecords;

function rolesOver(db: Database.Database): SqliteRoles {
  const sql = new Sql(db);
  return fileFailuresAsUnavailable({
    ...sqliteKeyRecords(sql),
    ...sqliteDirectoryRecords(sql),
    ...sqliteUsageRecords(sql),
    ...sqliteAdminRecords(sql),
    ...sqlitePageSessions(sql),
    ...sqliteRetention(sql),
    ...sqliteReminderRecords(sql),
    ...sqliteEventRecords(sql),
  });
}

/** The SQLite store: the roles over one open database, which it migrates and closes. */
export type SqliteStore = SqliteRoles & {
  readonly kind: 'sqlite';
  readonly db: Database.Database;
  close(): Promise<void>;
};

/** Opens (creating and migrating if needed) the database file and the store over it. */
export function createSqliteStore(file: string): SqliteStore {
  const db = openSqliteDatabase(file);
  return {
    ...rolesOver(db),
    kind: 'sqlite',
    db,
    close: async () => {
      if (db.open) db.close();
    },
  };
}

export const isSqliteStore = (store: Store): store is SqliteStore =>
  store.kind === 'sqlite' && 'db' in store;
