// How each SQLite table becomes MongoDB documents, for migrate-sqlite-to-mongo.ts.
import type { Collection } from 'mongoose';
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
import type { Models } from '../store/mongo/models';
import { nextKeySeq } from '../store/mongo/mongo-key-records';
import {
  adminFromRow,
  auditFromRow,
  integrationKeyFromRow,
  keyFromRow,
  membershipFromRow,
  orgFromRow,
  userFromRow,
} from '../store/sqlite/rows';
import { WEBHOOK_TABLES } from './migrate-webhook-tables';

export type Row = Record<string, unknown>;

/** One SQLite table and how each of its rows becomes an upsert. */
export interface TablePlan {
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
    table: 'expiry_reminders',
    orderBy: 'key_id, threshold_days',
    collection: model('ExpiryReminder'),
    toUpsert: (r) => {
      const doc = {
        keyId: String(r.key_id),
        thresholdDays: Number(r.threshold_days),
        expiresAt: Number(r.expires_at),
        sentAt: Number(r.sent_at),
      };
      return { filter: { keyId: doc.keyId, thresholdDays: doc.thresholdDays }, doc };
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
