import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';

/**
 * What the deployment behind a connection can do, found out once at connect time.
 * A plain `mongod` has no transactions and no change streams; FerretDB 1.x has neither
 * and no TTL indexes either. Latchkey has a standalone path for each (see docs/mongodb.md).
 */
export interface MongoCapabilities {
  /** Multi-document transactions: a replica set or a sharded cluster. */
  transactions: boolean;
  /** Change streams: the same deployments (they read the oplog). */
  changeStreams: boolean;
  /** Indexes with `expireAfterSeconds`, which the server uses to delete expired documents. */
  ttlIndexes: boolean;
  /**
   * Concurrent updates of one document all apply. FerretDB 1.x on SQLite loses some (it
   * reads, changes and writes back): rate limits then count in slots, usage flushes keep
   * no last-used times, and usage counts can undercount (see docs/mongodb.md).
   */
  atomicUpdates: boolean;
  /** Why each missing feature is missing, for the start-up log. */
  reasons: string[];
}

/** Everything a real replica set has; what code that cannot ask the server assumes. */
export const FULL_CAPABILITIES: MongoCapabilities = {
  transactions: true,
  changeStreams: true,
  ttlIndexes: true,
  atomicUpdates: true,
  reasons: [],
};

/** A scratch collection of this process's own: processes starting together must not share one. */
const probeName = (prefix: string): string =>
  `${prefix}capability_probe_${randomBytes(6).toString('hex')}`;

async function isReplicaSetOrSharded(conn: Connection): Promise<boolean> {
  if (!conn.db) return false;
  const hello = await conn.db.admin().command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/** Builds and drops a TTL index on a scratch collection: the only sure way to know. */
async function acceptsTtlIndexes(conn: Connection, prefix: string): Promise<string | null> {
  const db = conn.db;
  if (!db) return 'the connection is not open';
  const probe = db.collection(probeName(prefix));
  try {
    await probe.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/** Sends concurrent increments to one scratch document and checks that none was lost. */
async function keepsConcurrentIncrements(conn: Connection, prefix: string): Promise<boolean> {
  const db = conn.db;
  if (!db) return false;
  const probe = db.collection<{ _id: string; n: number }>(probeName(prefix));
  const tries = 16;
  try {
    await probe.insertOne({ _id: 'inc', n: 0 });
    await Promise.all(
      Array.from({ length: tries }, () => probe.updateOne({ _id: 'inc' }, { $inc: { n: 1 } })),
    );
    return (await probe.findOne({ _id: 'inc' }))?.n === tries;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

export async function detectCapabilities(
  conn: Connection,
  prefix = '',
): Promise<MongoCapabilities> {
  const replicated = await isReplicaSetOrSharded(conn);
  const ttlRefusal = await acceptsTtlIndexes(conn, prefix);
  const atomicUpdates = await keepsConcurrentIncrements(conn, prefix);
  const reasons: string[] = [];
  if (!replicated) {
    reasons.push(
      'not a replica set or sharded cluster: no transactions (cascades run step by step, each step re-runnable) and no change streams (other processes poll a change counter)',
    );
  }
  if (ttlRefusal !== null) {
    reasons.push(
      `no TTL indexes (${ttlRefusal}): expired sessions are deleted by Latchkey's own sweep`,
    );
  }
  if (!atomicUpdates) {
    reasons.push(
      'concurrent updates of one document can be lost: shared rate limits count in slots (exact), last-used times are not kept, usage counts can undercount under concurrent flushes',
    );
  }
  return {
    atomicUpdates,
    transactions: replicated,
    changeStreams: replicated,
    ttlIndexes: ttlRefusal === null,
    reasons,
  };
}
