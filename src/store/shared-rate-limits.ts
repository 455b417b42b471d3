import type Database from 'better-sqlite3';
import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterSQLite } from 'rate-limiter-flexible';
import {
  insuredSharedBackend,
  type RateLimitBackend,
  type SharedCountsHealth,
} from '../core/rate-limits';
import { SqliteStore } from './sqlite';
import type { Store } from '../core/store';

/** rate-limiter-flexible's own table layout, created up front so the first count never races it. */
const SQLITE_TABLE = 'rate_limits';
const SQLITE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${SQLITE_TABLE} (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire INTEGER
)`;

/**
 * Counts in the SQLite file, shared by every process that opens it. If the file cannot
 * answer, each process counts on its own until it can (see insuredSharedBackend).
 */
export function sqliteRateLimits(
  db: Database.Database,
  health?: SharedCountsHealth,
): RateLimitBackend {
  db.exec(SQLITE_TABLE_SQL);
  // A table of another shape fails here, at start-up, not as an outage on every count.
  db.prepare(`SELECT key, points, expire FROM ${SQLITE_TABLE} LIMIT 0`).all();
  return insuredSharedBackend(
    (spec) =>
      new RateLimiterSQLite({
        ...spec,
        storeClient: db,
        storeType: 'better-sqlite3',
        tableName: SQLITE_TABLE,
        tableCreated: true,
        // Its sweep timer would outlive store.close(); a stale row is reset on its next use and
        // there is at most one per allowance and subject.
        clearExpiredByTimeout: false,
      }),
    health,
  );
}

/**
 * rate-limiter-flexible's indexes, made here rather than by the library: it builds the TTL
 * index first and gives up on the unique one when that fails, and FerretDB 1.x has no TTL
 * indexes. Without the TTL index an expired count is replaced on its next use instead.
 */
async function rateLimitIndexes(connection: Connection, collection: string): Promise<void> {
  const counts = connection.collection(collection);
  await counts.createIndex({ key: 1 }, { unique: true });
  await counts.createIndex({ expire: -1 }, { expireAfterSeconds: 0 }).catch(() => undefined);
}

/** Counts in MongoDB through the store's mongoose connection (on its own while it cannot). */
export function mongoRateLimits(
  connection: Connection,
  health?: SharedCountsHealth,
): RateLimitBackend {
  return insuredSharedBackend((spec) => {
    // The library names the collection after the key prefix. An outage here leaves the
    // indexes to the next start; counting works meanwhile.
    void rateLimitIndexes(connection, spec.keyPrefix).catch(() => undefined);
    return new RateLimiterMongo({ ...spec, storeClient: connection, disableIndexesCreation: true });
  }, health);
}

/** A store that can lend its mongoose connection (the MongoDB store does). */
interface WithMongooseConnection {
  connection: Connection;
}

const hasConnection = (store: Store): store is Store & WithMongooseConnection =>
  'connection' in store && typeof (store as { connection?: unknown }).connection === 'object';

/** The shared backend that lives in the given store's own database. */
export function storeRateLimits(store: Store, health?: SharedCountsHealth): RateLimitBackend {
  if (store instanceof SqliteStore) return sqliteRateLimits(store.db, health);
  if (store.kind === 'mongo' && hasConnection(store))
    return mongoRateLimits(store.connection, health);
  throw new Error(
    'This store cannot hold shared rate-limit counts; pass a rateLimitBackend built with rateLimitBackend().',
  );
}
