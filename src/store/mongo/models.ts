import { Schema, type Connection, type Model } from 'mongoose';
import { KEY_ID_PATTERN } from '../../core/token';
import {
  ORG_ROLES,
  type JsonObject,
  type KeyKind,
  type OrgRole,
  type RateLimit,
} from '../../core/types';

/**
 * The MongoDB documents: the same fields as the SQLite tables, camelCase, with
 * the natural id as `_id` where a record has one (so it is unique by definition).
 * Times are unix seconds, like everywhere else in Latchkey.
 */

export interface UserDoc {
  _id: string;
  email: string;
  /** Lower-cased copy of `email`: the unique, case-insensitive lookup key. */
  emailLower: string;
  emailConfirmed: boolean;
  passwordHash: string | null;
  pictureUrl: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  locked: boolean;
  enabled: boolean;
  mfaEnabled: boolean;
  canCreateOrgs: boolean;
  updatePasswordRequired: boolean;
  metadata: JsonObject;
  createdAt: number;
  lastActiveAt: number;
}

export interface OrgDoc {
  _id: string;
  name: string;
  urlSafeName: string;
  metadata: JsonObject;
  createdAt: number;
}

export interface MembershipDoc {
  userId: string;
  orgId: string;
  role: OrgRole;
  joinedAt: number;
}

export interface ApiKeyDoc {
  _id: string;
  digest: string;
  kind: KeyKind;
  userId: string | null;
  orgId: string | null;
  displayName: string;
  hint: string;
  metadata: JsonObject;
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
  imported: boolean;
  createdBy: string;
  rateLimit: RateLimit | null;
}

export interface UsageDoc {
  keyId: string;
  /** UTC day, YYYY-MM-DD (sorts as text). */
  day: string;
  count: number;
}

export interface SettingsDoc {
  _id: string;
  data: JsonObject;
}

export interface AuditDoc {
  /** The event id; `_id` stays an ObjectId so events with the same second keep insertion order. */
  id: string;
  at: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  ip: string | null;
  details: JsonObject;
}

export interface AdminDoc {
  _id: string;
  email: string;
  emailLower: string;
  passwordHash: string;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface SetupTokenDoc {
  /** The token's digest. */
  _id: string;
  expiresAt: number;
}

export interface IntegrationKeyDoc {
  _id: string;
  digest: string;
  name: string;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  archivedAt: number | null;
}

export interface SessionDoc {
  /** The session id. */
  _id: string;
  data: string;
  expiresAt: number;
  /** Same instant as `expiresAt`, as a Date, so a TTL index removes expired sessions. */
  expireAt: Date;
}

/** A short lease that serialises "count then insert" for one key owner (see owner-lock.ts). */
export interface OwnerLockDoc {
  _id: string;
  holder: string;
  /** Milliseconds since the epoch. */
  lockedUntil: number;
}

const DIGEST = /^[0-9a-f]{64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const id = { type: String, required: true };
const text = { type: String, required: true };
const optText = { type: String, default: null };
const flag = { type: Boolean, required: true };
const time = { type: Number, required: true };
const optTime = { type: Number, default: null };
const json = { type: Schema.Types.Mixed, default: () => ({}) };

// minimize: false keeps `metadata: {}` instead of dropping the empty object; no version key
// and no `id` virtual, because the store reads plain (lean) documents and maps them itself.
const options = (collection: string) => ({
  collection,
  versionKey: false as const,
  minimize: false,
  id: false,
});

export function schemas(prefix = '') {
  const users = new Schema<UserDoc>(
    {
      _id: id,
      email: text,
      emailLower: { type: String, required: true, lowercase: true },
      emailConfirmed: flag,
      passwordHash: optText,
      pictureUrl: optText,
      firstName: optText,
      lastName: optText,
      username: optText,
      locked: flag,
      enabled: flag,
      mfaEnabled: flag,
      canCreateOrgs: flag,
      updatePasswordRequired: flag,
      metadata: json,
      createdAt: time,
      lastActiveAt: time,
    },
    options(`${prefix}users`),
  );
  users.index({ emailLower: 1 }, { unique: true });
  users.index({ createdAt: 1, _id: 1 });

  const orgs = new Schema<OrgDoc>(
    { _id: id, name: text, urlSafeName: text, metadata: json, createdAt: time },
    options(`${prefix}orgs`),
  );
  orgs.index({ urlSafeName: 1 }, { unique: true });
  orgs.index({ createdAt: 1, _id: 1 });

  const memberships = new Schema<MembershipDoc>(
    {
      userId: text,
      orgId: text,
      role: { type: String, required: true, enum: ORG_ROLES },
      joinedAt: time,
    },
    options(`${prefix}memberships`),
  );
  memberships.index({ userId: 1, orgId: 1 }, { unique: true });
  memberships.index({ orgId: 1, joinedAt: 1, userId: 1 });

  const apiKeys = new Schema<ApiKeyDoc>(
    {
      _id: { type: String, required: true, match: KEY_ID_PATTERN },
      digest: { type: String, required: true, match: DIGEST },
      kind: { type: String, required: true, enum: ['personal', 'org', 'generic'] },
      userId: optText,
      orgId: optText,
      displayName: text,
      hint: text,
      metadata: json,
      expiresAt: optTime,
      createdAt: time,
      lastUsedAt: optTime,
      archivedAt: optTime,
      imported: flag,
      createdBy: text,
      rateLimit: { type: Schema.Types.Mixed, default: null },
    },
    options(`${prefix}api_keys`),
  );
  apiKeys.index({ digest: 1 }, { unique: true });
  apiKeys.index({ userId: 1, archivedAt: 1 });
  apiKeys.index({ orgId: 1, archivedAt: 1 });
  apiKeys.index({ archivedAt: 1, createdAt: -1 });
  apiKeys.index({ createdAt: -1, _id: 1 });

  const usage = new Schema<UsageDoc>(
    {
      keyId: text,
      day: { type: String, required: true, match: DAY },
      count: { type: Number, required: true, min: 0 },
    },
    options(`${prefix}key_usage`),
  );
  usage.index({ keyId: 1, day: 1 }, { unique: true });
  usage.index({ day: 1 });

  const settings = new Schema<SettingsDoc>({ _id: id, data: json }, options(`${prefix}settings`));

  const audit = new Schema<AuditDoc>(
    {
      id: text,
      at: time,
      actor: text,
      action: text,
      // No enum: an append-only log must never refuse an event over a new target type.
      targetType: text,
      targetId: text,
      ip: optText,
      details: json,
    },
    options(`${prefix}audit_events`),
  );
  audit.index({ id: 1 }, { unique: true });
  audit.index({ at: -1, _id: -1 });
  audit.index({ targetType: 1, targetId: 1, at: -1 });
  audit.index({ actor: 1, at: -1 });
  audit.index({ action: 1, at: -1 });

  const admins = new Schema<AdminDoc>(
    {
      _id: id,
      email: text,
      emailLower: { type: String, required: true, lowercase: true },
      passwordHash: text,
      createdAt: time,
      lastLoginAt: optTime,
    },
    options(`${prefix}admins`),
  );
  admins.index({ emailLower: 1 }, { unique: true });

  const setupTokens = new Schema<SetupTokenDoc>(
    { _id: id, expiresAt: time },
    options(`${prefix}setup_tokens`),
  );

  const integrationKeys = new Schema<IntegrationKeyDoc>(
    {
      _id: id,
      digest: { type: String, required: true, match: DIGEST },
      name: text,
      hint: text,
      createdAt: time,
      lastUsedAt: optTime,
      archivedAt: optTime,
    },
    options(`${prefix}integration_keys`),
  );
  integrationKeys.index({ digest: 1 }, { unique: true });
  integrationKeys.index({ createdAt: -1, _id: 1 });

  const sessions = new Schema<SessionDoc>(
    { _id: id, data: text, expiresAt: time, expireAt: { type: Date, required: true } },
    options(`${prefix}sessions`),
  );
  sessions.index({ expireAt: 1 }, { expireAfterSeconds: 0 });
  sessions.index({ expiresAt: 1 });

  const ownerLocks = new Schema<OwnerLockDoc>(
    { _id: id, holder: text, lockedUntil: time },
    options(`${prefix}owner_locks`),
  );

  return {
    users,
    orgs,
    memberships,
    apiKeys,
    usage,
    settings,
    audit,
    admins,
    setupTokens,
    integrationKeys,
    sessions,
    ownerLocks,
  };
}

export interface Models {
  User: Model<UserDoc>;
  Org: Model<OrgDoc>;
  Membership: Model<MembershipDoc>;
  ApiKey: Model<ApiKeyDoc>;
  Usage: Model<UsageDoc>;
  Settings: Model<SettingsDoc>;
  Audit: Model<AuditDoc>;
  Admin: Model<AdminDoc>;
  SetupToken: Model<SetupTokenDoc>;
  IntegrationKey: Model<IntegrationKeyDoc>;
  Session: Model<SessionDoc>;
  OwnerLock: Model<OwnerLockDoc>;
}

/**
 * Registers the models on one connection (never on mongoose's global default,
 * so a host app's own mongoose use is untouched). `prefix` names the collections,
 * e.g. "latchkey_" when Latchkey shares a database with the host app.
 */
export function defineModels(conn: Connection, prefix = ''): Models {
  const s = schemas(prefix);
  return {
    User: conn.model<UserDoc>('User', s.users),
    Org: conn.model<OrgDoc>('Org', s.orgs),
    Membership: conn.model<MembershipDoc>('Membership', s.memberships),
    ApiKey: conn.model<ApiKeyDoc>('ApiKey', s.apiKeys),
    Usage: conn.model<UsageDoc>('Usage', s.usage),
    Settings: conn.model<SettingsDoc>('Settings', s.settings),
    Audit: conn.model<AuditDoc>('Audit', s.audit),
    Admin: conn.model<AdminDoc>('Admin', s.admins),
    SetupToken: conn.model<SetupTokenDoc>('SetupToken', s.setupTokens),
    IntegrationKey: conn.model<IntegrationKeyDoc>('IntegrationKey', s.integrationKeys),
    Session: conn.model<SessionDoc>('Session', s.sessions),
    OwnerLock: conn.model<OwnerLockDoc>('OwnerLock', s.ownerLocks),
  };
}
