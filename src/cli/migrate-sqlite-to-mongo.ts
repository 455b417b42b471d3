import fs from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Collection, mongo } from 'mongoose';
import { ConfigError, loadConfig, mongoConnectionOf } from '../config';
import type {
  ApiKeyDoc,
  SessionDoc,
  SettingsDoc,
  SetupTokenDoc,
  UsageDoc,
} from '../store/mongo/models';
import {
  adminToDoc,
  auditToDoc,
  integrationKeyToDoc,
  keyToDoc,
  orgToDoc,
  userToDoc,
} from '../store/mongo/mappers';
import { createMongoStore, redactMongoUri, type MongoStore } from '../store/mongo';
import type { Models } from '../store/mongo/models';
import { nextKeySeq } from '../store/mongo/mongo-key-records';
import { WEBHOOK_TABLES } from './migrate-webhook-tables';
import {
  adminFromRow,
  auditFromRow,
  integrationKeyFromRow,
  keyFromRow,
  membershipFromRow,
  orgFromRow,
  userFromRow,
} from '../store/sqlite/rows';

/**
 * `npm run migrate:sqlite-to-mongo -- [--from data/latchkey.db] [--to mongodb://...]`
 *
 * Copies every record from an SQLite file into MongoDB. Each record is upserted
 * by its natural id (replaced whole), so running it again after a partial or a
 * complete run gives the same result and never duplicates anything. It ends
 * with a count check per table and exits non-zero when MongoDB has fewer.
 */

type Row = Record<string, unknown>;

/** One SQLite table and how each of its rows becomes an upsert. */
interface TablePlan {
  table: string;
  orderBy: string;
  collection: (m: Models) => Collection;
  /** Which documents of the collection the table's rows become (all of them when omitted). */
  counted?: Record<string, unknown>;
  toUpsert(row: Row): { filter: Record<string, unknown>; doc: Record<string, unknown> };
}

const byId = (doc: { _id: string }) => ({ filter: { _id: doc._id }, doc });
const model =
  <K extends keyof Models>(k: K) =>
  (m: Models): Collection =>
    m[k].collection;

export const TABLES: TablePlan[] = [
  {
    table: 'users',
    orderBy: 'created_at, id',
    collection: model('User'),
    toUpsert: (r) => byId(userToDoc(userFromRow(r))),
  },
  {
    table: 'orgs',
    orderBy: 'created_at, id',
    collection: model('Org'),
    toUpsert: (r) => byId(orgToDoc(orgFromRow(r))),
  },
  {
    table: 'memberships',
    orderBy: 'joined_at, user_id, org_id',
    collection: model('Membership'),
    toUpsert: (r) => {
      const m = membershipFromRow(r);
      return { filter: { userId: m.userId, orgId: m.orgId }, doc: { ...m } };
    },
  },
  {
    table: 'api_keys',
    // In insertion order, so fresh sequence numbers keep same-second keys in their order.
    orderBy: 'created_at, rowid',
    collection: model('ApiKey'),
    toUpsert: (r) => {
      const doc: ApiKeyDoc = { ...keyToDoc(keyFromRow(r)), seq: nextKeySeq() };
      return byId(doc);
    },
  },
  {
    table: 'key_usage',
    orderBy: 'day, key_id',
    collection: model('Usage'),
    // The SQLite count replaces the document's count (no $inc), so a second run adds nothing.
    toUpsert: (r) => {
      const doc: UsageDoc = { keyId: String(r.key_id), day: String(r.day), count: Number(r.count) };
      return { filter: { keyId: doc.keyId, day: doc.day }, doc: { ...doc } };
    },
  },
  {
    table: 'settings',
    orderBy: 'id',
    collection: model('Settings'),
    counted: { _id: 'settings' },
    toUpsert: (r) => {
      const doc: SettingsDoc = { _id: 'settings', data: JSON.parse(String(r.data)) };
      return byId(doc);
    },
  },
  {
    table: 'audit_events',
    orderBy: 'seq',
    collection: model('Audit'),
    toUpsert: (r) => {
      const doc = auditToDoc(auditFromRow(r));
      return { filter: { id: doc.id }, doc: { ...doc } };
    },
  },
  {
    table: 'admins',
    orderBy: 'created_at, id',
    collection: model('Admin'),
    toUpsert: (r) => byId(adminToDoc(adminFromRow(r))),
  },
  {
    table: 'setup_tokens',
    orderBy: 'digest',
    collection: model('SetupToken'),
    toUpsert: (r) => {
      const doc: SetupTokenDoc = { _id: String(r.digest), expiresAt: Number(r.expires_at) };
      return byId(doc);
    },
  },
  {
    table: 'integration_keys',
    orderBy: 'created_at, id',
    collection: model('IntegrationKey'),
    toUpsert: (r) => byId(integrationKeyToDoc(integrationKeyFromRow(r))),
  },
  {
    // Brand images live in the settings collection on MongoDB, under the adapter's id prefix.
    table: 'brand_assets',
    orderBy: 'id',
    collection: model('Settings'),
    counted: { _id: { $regex: '^brand-asset:' } },
    toUpsert: (r) => {
      const bytes = r.bytes as Uint8Array;
      const data = {
        contentType: String(r.content_type),
        base64: Buffer.from(bytes).toString('base64'),
        createdAt: Number(r.created_at),
      };
      return { filter: { _id: `brand-asset:${String(r.id)}` }, doc: { data } };
    },
  },
  {
    table: 'sessions',
    orderBy: 'sid',
    collection: model('Session'),
    toUpsert: (r) => {
      const expiresAt = Number(r.expires_at);
      const doc: SessionDoc = {
        _id: String(r.sid),
        data: String(r.data),
        expiresAt,
        expireAt: new Date(expiresAt * 1000),
      };
      return byId(doc);
    },
  },
  ...WEBHOOK_TABLES,
];

/** `[#########...........]  45%  users 450/1000` */
export function renderProgress(label: string, done: number, total: number, width = 24): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  const percent = String(Math.round(ratio * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}%  ${label} ${done}/${total}`;
}

export interface TableReport {
  table: string;
  sqlite: number;
  mongo: number;
}

export interface MigrateOptions {
  batchSize?: number;
  /** Called after every batch; the CLI draws the progress bar with it. */
  onProgress?: (table: string, done: number, total: number) => void;
}

/** Copies every table; returns the counts on both sides, table by table. */
export async function migrateSqliteToMongo(
  sqlite: Database.Database,
  store: MongoStore,
  options: MigrateOptions = {},
): Promise<TableReport[]> {
  const batchSize = options.batchSize ?? 500;
  const reports: TableReport[] = [];
  for (const plan of TABLES) {
    // The driver's collection, not the model: the rows are already mapped by the store's own
    // mappers, and a model would add a fresh ObjectId `_id` to each replacement, which an
    // existing document (second run) refuses as a change of its immutable `_id`.
    const target = plan.collection(store.models);
    const total = Number(sqlite.prepare(`SELECT COUNT(*) FROM ${plan.table}`).pluck().get());
    const rows = sqlite.prepare(`SELECT * FROM ${plan.table} ORDER BY ${plan.orderBy}`).iterate();
    let done = 0;
    let batch: mongo.AnyBulkWriteOperation[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await target.bulkWrite(batch, { ordered: true });
      done += batch.length;
      batch = [];
      options.onProgress?.(plan.table, done, total);
    };
    options.onProgress?.(plan.table, 0, total);
    for (const row of rows) {
      const { filter, doc } = plan.toUpsert(row as Row);
      batch.push({ replaceOne: { filter, replacement: doc, upsert: true } });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    reports.push({
      table: plan.table,
      sqlite: total,
      mongo: await target.countDocuments(plan.counted ?? {}),
    });
  }
  return reports;
}

/** True when MongoDB holds at least every SQLite record (it may hold more it had before). */
export const countsMatch = (reports: TableReport[]): boolean =>
  reports.every((r) => r.mongo >= r.sqlite);

/** The command: reads flags and environment, copies, reports on `err`; resolves to the exit code. */
export async function runMigrateCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  err: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Promise<number> {
  const say = (line: string) => err.write(`${line}\n`);
  const { values } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    say('Usage: npm run migrate:sqlite-to-mongo -- [--from <sqlite file>] [--to <mongodb uri>]');
    say('Defaults: --from $DATABASE_PATH, --to $MONGODB_URI (or DATABASE_URL=mongodb://...).');
    return 0;
  }
  const config = loadConfig(env);
  const from = values.from ?? config.DATABASE_PATH;
  const target = values.to ? { uri: values.to, uriSource: '--to' } : mongoConnectionOf(config);
  if (!target) {
    say('Set MONGODB_URI (or pass --to mongodb://...) to say where to copy to.');
    return 1;
  }
  if (!fs.existsSync(from)) {
    say(`No SQLite database at ${from} (set --from or DATABASE_PATH).`);
    return 1;
  }
  const store = await createMongoStore(target);
  const sqlite = new Database(from, { readonly: true, fileMustExist: true });
  try {
    say(`Copying ${from} into ${redactMongoUri(target.uri)}`);
    const reports = await migrateSqliteToMongo(sqlite, store, {
      onProgress: (table, done, total) => {
        const line = renderProgress(table.padEnd(16), done, total);
        // On a terminal the bar redraws in place; in a log, one line per finished table.
        if (err.isTTY) err.write(`\r${line}${done === total ? '\n' : ''}`);
        else if (done === total) say(line);
      },
    });
    say('');
    say('Table             SQLite   MongoDB');
    for (const r of reports) {
      const flag =
        r.mongo < r.sqlite ? '  MISSING' : r.mongo > r.sqlite ? '  (MongoDB had more)' : '';
      say(
        `${r.table.padEnd(16)} ${String(r.sqlite).padStart(7)} ${String(r.mongo).padStart(9)}${flag}`,
      );
    }
    if (!countsMatch(reports)) {
      say('Count check failed: some records are missing in MongoDB.');
      return 1;
    }
    say('Count check passed: every record is in MongoDB.');
    return 0;
  } finally {
    sqlite.close();
    await store.close();
  }
}

if (require.main === module) {
  runMigrateCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(
        err instanceof ConfigError
          ? err.message
          : `Migration failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      process.exit(1);
    },
  );
}
