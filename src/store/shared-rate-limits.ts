import type Database from 'better-sqlite3';
import type { Connection } from 'mongoose';
import {
  RateLimiterMemory,
  RateLimiterMongo,
  RateLimiterRes,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import {
  insuredSharedBackend,
  type LimiterSpec,
  type RateLimitBackend,
  type SharedCountsHealth,
} from '../core/rate-limits';
import { isDuplicateKey } from './mongo/mongo-errors';
import { isSqliteStore } from './sqlite';
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

const SLOTS = 'rate_limit_slots';
const SWEEP_EVERY_MS = 60_000;

interface SlotDoc {
  _id: string;
  window: string;
  expire: Date;
}

/**
 * Exact counts on a server that can lose concurrent updates of one document (FerretDB 1.x
 * on SQLite reads, changes and writes back, so `$inc`, `findOneAndUpdate` and even a
 * compare-and-set on a version field lose some). Inserts and unique keys hold there, so
 * each allowed hit takes one numbered slot of its window (`_id` = window + slot number):
 * slot n can be taken once, so a window admits at most `points` hits in all processes,
 * and a hit is refused only once every slot is taken. Windows are fixed (aligned to the
 * epoch); slots of past windows are deleted by a TTL index where there is one, else by a
 * sweep at most once a minute.
 */
// rate-limiter-flexible exports no base class at run time; only consume() is overridden and used.
class SlotLimiter extends RateLimiterMemory {
  private sweptAt = 0;

  constructor(
    private readonly connection: Connection,
    spec: LimiterSpec,
  ) {
    super(spec);
  }

  override async consume(subject: string | number): Promise<RateLimiterRes> {
    const slots = this.connection.collection<SlotDoc>(SLOTS);
    const ms = this.duration * 1000;
    const now = Date.now();
    const start = Math.floor(now / ms) * ms;
    const window = `${this.keyPrefix}:${subject}:${start}`;
    const expire = new Date(start + ms);
    const msBeforeNext = start + ms - now;
    this.sweep(now);
    // Slots already taken are skipped without a failed insert each.
    for (let slot = await slots.countDocuments({ window }); slot < this.points; slot++) {
      try {
        await slots.insertOne({ _id: `${window}:${slot}`, window, expire });
        return new RateLimiterRes(this.points - slot - 1, msBeforeNext, slot + 1, slot === 0);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    throw new RateLimiterRes(0, msBeforeNext, this.points + 1, false);
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    void this.connection
      .collection<SlotDoc>(SLOTS)
      .deleteMany({ expire: { $lt: new Date(now) } })
      .catch(() => undefined);
  }
}

async function slotIndexes(connection: Connection): Promise<void> {
  const slots = connection.collection(SLOTS);
  await slots.createIndex({ window: 1 });
  await slots.createIndex({ expire: 1 }, { expireAfterSeconds: 0 }).catch(() => undefined);
}

/**
 * Counts in MongoDB through the store's mongoose connection (on its own while it cannot).
 * `exact` counts in slots (see SlotLimiter), for servers that lose concurrent updates.
 */
export function mongoRateLimits(
  connection: Connection,
  health?: SharedCountsHealth,
  exact = false,
): RateLimitBackend {
  if (exact) {
    void slotIndexes(connection).catch(() => undefined);
    return insuredSharedBackend((spec) => new SlotLimiter(connection, spec), health);
  }
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
  options?: { capabilities?: { atomicUpdates: boolean } };
}

const hasConnection = (store: Store): store is Store & WithMongooseConnection =>
  'connection' in store && typeof (store as { connection?: unknown }).connection === 'object';

/** The shared backend that lives in the given store's own database. */
export function storeRateLimits(store: Store, health?: SharedCountsHealth): RateLimitBackend {
  if (isSqliteStore(store)) return sqliteRateLimits(store.db, health);
  if (store.kind === 'mongo' && hasConnection(store))
    return mongoRateLimits(
      store.connection,
      health,
      store.options?.capabilities?.atomicUpdates === false,
    );
  throw new Error(
    'This store cannot hold shared rate-limit counts; pass a rateLimitBackend built with rateLimitBackend().',
  );
}
