import type { Connection, Model } from 'mongoose';
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
import { defineEventModels, type EventModels } from './event-models';
import { schemas } from './schemas';

export type * from './documents';
export type * from './event-models';
export { schemas } from './schemas';

export interface Models extends EventModels {
  User: Model<UserDoc>;
  Org: Model<OrgDoc>;
  Membership: Model<MembershipDoc>;
  ApiKey: Model<ApiKeyDoc>;
  Usage: Model<UsageDoc>;
  Settings: Model<SettingsDoc>;
  Audit: Model<AuditDoc>;
  Admin: Model<AdminDoc>;
  SetupToken: Model<SetupTokenDoc>;
  ExpiryReminder: Model<ExpiryReminderDoc>;
  IntegrationKey: Model<IntegrationKeyDoc>;
  Session: Model<SessionDoc>;
  OwnerLock: Model<OwnerLockDoc>;
  ChangeCounter: Model<ChangeCounterDoc>;
}

/**
 * Registers the models on one connection (never on mongoose's global default,
 * so a host app's own mongoose use is untouched). `prefix` names the collections,
 * e.g. "latchkey_" when Latchkey shares a database with the host app.
 */
export function defineModels(
  conn: Connection,
  prefix = '',
  features: { ttlIndexes?: boolean } = {},
): Models {
  const s = schemas(prefix, features);
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
    ExpiryReminder: conn.model<ExpiryReminderDoc>('ExpiryReminder', s.expiryReminders),
    IntegrationKey: conn.model<IntegrationKeyDoc>('IntegrationKey', s.integrationKeys),
    Session: conn.model<SessionDoc>('Session', s.sessions),
    OwnerLock: conn.model<OwnerLockDoc>('OwnerLock', s.ownerLocks),
    ChangeCounter: conn.model<ChangeCounterDoc>('ChangeCounter', s.changeCounter),
    ...defineEventModels(conn, prefix),
  };
}
