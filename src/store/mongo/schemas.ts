import { Schema } from 'mongoose';
import { KEY_ID_PATTERN } from '../../core/token';
import { ORG_ROLES } from '../../core/types';
import type {
  AdminDoc,
  ApiKeyDoc,
  AuditDoc,
  ChangeCounterDoc,
  ExpiryReminderDoc,
  IntegrationKeyDoc,
  MembershipDoc,
  OrgDoc,
  OwnerLockDoc,
  SessionDoc,
  SettingsDoc,
  SetupTokenDoc,
  UsageDoc,
  UserDoc,
} from './documents';

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

/** The mongoose schemas of the documents (see documents.ts) and their indexes. */
export function schemas(prefix = '', { ttlIndexes = true } = {}) {
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
      scopes: { type: Schema.Types.Mixed, default: null },
      allowedIps: { type: Schema.Types.Mixed, default: null },
      remaining: { type: Number, default: null },
      refill: { type: Schema.Types.Mixed, default: null },
      refilledAt: optTime,
      previousDigest: { type: String, default: null, match: DIGEST },
      previousDigestExpiresAt: optTime,
      seq: { type: Number, default: null },
    },
    options(`${prefix}api_keys`),
  );
  apiKeys.index({ digest: 1 }, { unique: true });
  // Not unique: most keys have none (null), and partial indexes are not on every server.
  apiKeys.index({ previousDigest: 1 });
  apiKeys.index({ userId: 1, archivedAt: 1 });
  apiKeys.index({ orgId: 1, archivedAt: 1 });
  apiKeys.index({ archivedAt: 1, createdAt: -1 });
  apiKeys.index({ createdAt: -1, seq: -1, _id: 1 });
  // Keys expiring soon (reminders): current keys have archivedAt null. No partial index, which
  // MongoDB-compatible servers such as FerretDB do not all support.
  apiKeys.index({ archivedAt: 1, expiresAt: 1 });

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

  const expiryReminders = new Schema<ExpiryReminderDoc>(
    { keyId: { type: String, required: true }, thresholdDays: time, expiresAt: time, sentAt: time },
    options(`${prefix}expiry_reminders`),
  );
  expiryReminders.index({ keyId: 1, thresholdDays: 1 }, { unique: true });

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
  // Without TTL indexes (FerretDB 1.x) expired sessions go through pruneSessions alone.
  if (ttlIndexes) sessions.index({ expireAt: 1 }, { expireAfterSeconds: 0 });
  sessions.index({ expiresAt: 1 });

  const ownerLocks = new Schema<OwnerLockDoc>(
    { _id: id, holder: text, lockedUntil: time },
    options(`${prefix}owner_locks`),
  );

  const changeCounter = new Schema<ChangeCounterDoc>(
    { _id: id, settings: { type: Number, default: 0 }, lookups: { type: Number, default: 0 } },
    options(`${prefix}change_counter`),
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
    expiryReminders,
    integrationKeys,
    sessions,
    ownerLocks,
    changeCounter,
  };
}
