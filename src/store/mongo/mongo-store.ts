import type { Connection } from 'mongoose';
import type { Store } from '../../core/store';
import type { MongoCapabilities } from './capabilities';
import { ChangeCounter, type CounterReading } from './change-counter';
import type { Models } from './models';
import { MongoAdminRecords } from './mongo-admin-records';
import { MongoDirectoryRecords } from './mongo-directory-records';
import { MongoEventRecords } from './mongo-event-records';
import { MongoKeyRecords } from './mongo-key-records';
import { MongoPageSessions } from './mongo-page-sessions';
import { MongoReminderRecords } from './mongo-reminder-records';
import { MongoUsageRecords } from './mongo-usage-records';
import { mongoRetention } from './mongo-retention';
import { OwnerLocks, type OwnerLockOptions } from './owner-lock';

export interface MongoStoreOptions {
  /** Run cascades in transactions (needs a replica set or sharded cluster). */
  useTransactions: boolean;
  ownerLock?: OwnerLockOptions;
  /** Count changes for other processes to poll (where there are no change streams). */
  countChanges?: boolean;
  /** What connect time found the deployment can do; absent for stores built by hand. */
  capabilities?: MongoCapabilities;
}

/**
 * The Store on MongoDB through mongoose: one object per role of the core's store
 * port, sharing one connection, which this class owns. Single-document writes are
 * atomic conditional updates; cascades run in a transaction when the deployment
 * has them and are safe to re-run when it does not (see transactions.ts).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;

  get atomicUpdates(): boolean {
    return this.options.capabilities?.atomicUpdates !== false;
  }

  get recordsLastUsedTimes(): boolean {
    return this.options.capabilities?.atomicUpdates !== false;
  }
  private readonly keys: MongoKeyRecords;
  private readonly directory: MongoDirectoryRecords;
  private readonly usage: MongoUsageRecords;
  private readonly admin: MongoAdminRecords;
  private readonly sessions: MongoPageSessions;
  private readonly reminders: MongoReminderRecords;
  private readonly retention: ReturnType<typeof mongoRetention>;
  private readonly events: MongoEventRecords;
  readonly changes: ChangeCounter;

  constructor(
    readonly connection: Connection,
    readonly models: Models,
    readonly options: MongoStoreOptions,
  ) {
    const locks = new OwnerLocks(models.OwnerLock, options.ownerLock);
    this.directory = new MongoDirectoryRecords(connection, models, options.useTransactions);
    this.keys = new MongoKeyRecords(models, this.directory, locks, options.capabilities);
    this.usage = new MongoUsageRecords(models, options.capabilities);
    this.admin = new MongoAdminRecords(models, locks);
    this.sessions = new MongoPageSessions(models);
    this.reminders = new MongoReminderRecords(models);
    this.retention = mongoRetention(models);
    this.events = new MongoEventRecords(models);
    this.changes = new ChangeCounter(models.ChangeCounter);
  }

  /**
   * `write`, then (when counting changes) one more on the change counter. A failed count
   * does not fail the write: other processes then see it when their cache entries expire.
   */
  private counted<A extends unknown[], R>(
    what: keyof CounterReading,
    write: (...args: A) => Promise<R>,
  ): (...args: A) => Promise<R> {
    return async (...args) => {
      const result = await write(...args);
      if (this.options.countChanges) await this.changes.bump(what).catch(() => undefined);
      return result;
    };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  // Key records
  readonly insertKey: Store['insertKey'] = this.counted('lookups', (...a) =>
    this.keys.insertKey(...a),
  );
  readonly leaseUses: Store['leaseUses'] = (...a) => this.keys.quota.leaseUses(...a);
  readonly returnUses: Store['returnUses'] = (...a) => this.keys.quota.returnUses(...a);
  readonly rollKey: Store['rollKey'] = (...a) => this.keys.quota.rollKey(...a);
  readonly findKeyById: Store['findKeyById'] = (...a) => this.keys.findKeyById(...a);
  readonly findKeyByDigest: Store['findKeyByDigest'] = (...a) => this.keys.findKeyByDigest(...a);
  readonly findKeyForValidation: Store['findKeyForValidation'] = (...a) =>
    this.keys.findKeyForValidation(...a);
  readonly listKeys: Store['listKeys'] = (...a) => this.keys.listKeys(...a);
  readonly countKeys: Store['countKeys'] = (...a) => this.keys.countKeys(...a);
  readonly updateKey: Store['updateKey'] = this.counted('lookups', (...a) =>
    this.keys.updateKey(...a),
  );
  readonly archiveKey: Store['archiveKey'] = this.counted('lookups', (...a) =>
    this.keys.archiveKey(...a),
  );

  // Directory records
  readonly insertUser: Store['insertUser'] = (...a) => this.directory.insertUser(...a);
  readonly findUserById: Store['findUserById'] = (...a) => this.directory.findUserById(...a);
  readonly findUserByEmail: Store['findUserByEmail'] = (...a) =>
    this.directory.findUserByEmail(...a);
  readonly listUsers: Store['listUsers'] = (...a) => this.directory.listUsers(...a);
  readonly updateUser: Store['updateUser'] = this.counted('lookups', (...a) =>
    this.directory.updateUser(...a),
  );
  readonly deleteUserAndArchiveKeys: Store['deleteUserAndArchiveKeys'] = this.counted(
    'lookups',
    (...a) => this.directory.deleteUserAndArchiveKeys(...a),
  );
  readonly insertOrg: Store['insertOrg'] = (...a) => this.directory.insertOrg(...a);
  readonly findOrgById: Store['findOrgById'] = (...a) => this.directory.findOrgById(...a);
  readonly findOrgsByIds: Store['findOrgsByIds'] = (...a) => this.directory.findOrgsByIds(...a);
  readonly listOrgs: Store['listOrgs'] = (...a) => this.directory.listOrgs(...a);
  readonly updateOrg: Store['updateOrg'] = this.counted('lookups', (...a) =>
    this.directory.updateOrg(...a),
  );
  readonly deleteOrgAndArchiveKeys: Store['deleteOrgAndArchiveKeys'] = this.counted(
    'lookups',
    (...a) => this.directory.deleteOrgAndArchiveKeys(...a),
  );
  readonly upsertMembership: Store['upsertMembership'] = this.counted('lookups', (...a) =>
    this.directory.upsertMembership(...a),
  );
  readonly findMembership: Store['findMembership'] = (...a) => this.directory.findMembership(...a);
  readonly listMembershipsOfUser: Store['listMembershipsOfUser'] = (...a) =>
    this.directory.listMembershipsOfUser(...a);
  readonly listMembershipsOfOrg: Store['listMembershipsOfOrg'] = (...a) =>
    this.directory.listMembershipsOfOrg(...a);
  readonly removeMemberAndArchiveTheirOrgKeys: Store['removeMemberAndArchiveTheirOrgKeys'] =
    this.counted('lookups', (...a) => this.directory.removeMemberAndArchiveTheirOrgKeys(...a));

  // Usage records
  readonly recordUsage: Store['recordUsage'] = (...a) => this.usage.recordUsage(...a);
  readonly countUsage: Store['countUsage'] = (...a) => this.usage.countUsage(...a);
  readonly usageByDay: Store['usageByDay'] = (...a) => this.usage.usageByDay(...a);

  // Admin records
  readonly getSettings: Store['getSettings'] = () => this.admin.getSettings();
  readonly saveSettings: Store['saveSettings'] = this.counted('settings', (...a) =>
    this.admin.saveSettings(...a),
  );
  readonly appendAudit: Store['appendAudit'] = (...a) => this.admin.appendAudit(...a);
  readonly listAudit: Store['listAudit'] = (...a) => this.admin.listAudit(...a);
  readonly findAuditNames: Store['findAuditNames'] = (...a) => this.admin.findAuditNames(...a);
  readonly insertAdmin: Store['insertAdmin'] = (...a) => this.admin.insertAdmin(...a);
  readonly findAdminById: Store['findAdminById'] = (...a) => this.admin.findAdminById(...a);
  readonly findAdminByEmail: Store['findAdminByEmail'] = (...a) =>
    this.admin.findAdminByEmail(...a);
  readonly listAdmins: Store['listAdmins'] = () => this.admin.listAdmins();
  readonly updateAdmin: Store['updateAdmin'] = (...a) => this.admin.updateAdmin(...a);
  readonly deleteAdmin: Store['deleteAdmin'] = (...a) => this.admin.deleteAdmin(...a);
  readonly saveSetupToken: Store['saveSetupToken'] = (...a) => this.admin.saveSetupToken(...a);
  readonly consumeSetupToken: Store['consumeSetupToken'] = (...a) =>
    this.admin.consumeSetupToken(...a);
  readonly insertIntegrationKey: Store['insertIntegrationKey'] = (...a) =>
    this.admin.insertIntegrationKey(...a);
  readonly findIntegrationKeyByDigest: Store['findIntegrationKeyByDigest'] = (...a) =>
    this.admin.findIntegrationKeyByDigest(...a);
  readonly listIntegrationKeys: Store['listIntegrationKeys'] = () =>
    this.admin.listIntegrationKeys();
  readonly archiveIntegrationKey: Store['archiveIntegrationKey'] = (...a) =>
    this.admin.archiveIntegrationKey(...a);
  readonly touchIntegrationKey: Store['touchIntegrationKey'] = (...a) =>
    this.admin.touchIntegrationKey(...a);
  readonly saveBrandAsset: Store['saveBrandAsset'] = (...a) => this.admin.saveBrandAsset(...a);
  readonly findBrandAsset: Store['findBrandAsset'] = (...a) => this.admin.findBrandAsset(...a);

  // Retention (each in its role: keys, usage, admin records, webhooks, reminders)
  readonly deleteArchivedKeys: Store['deleteArchivedKeys'] = (...a) =>
    this.retention.deleteArchivedKeys(...a);
  readonly deleteUsageBefore: Store['deleteUsageBefore'] = (...a) =>
    this.retention.deleteUsageBefore(...a);
  readonly deleteAuditBefore: Store['deleteAuditBefore'] = (...a) =>
    this.retention.deleteAuditBefore(...a);
  readonly deleteDispatchedEventsBefore: Store['deleteDispatchedEventsBefore'] = (...a) =>
    this.retention.deleteDispatchedEventsBefore(...a);
  readonly deleteFinishedDeliveriesBefore: Store['deleteFinishedDeliveriesBefore'] = (...a) =>
    this.retention.deleteFinishedDeliveriesBefore(...a);
  readonly deleteExpiryClaimsBefore: Store['deleteExpiryClaimsBefore'] = (...a) =>
    this.retention.deleteExpiryClaimsBefore(...a);
  readonly tableSizes: Store['tableSizes'] = () => this.retention.tableSizes();

  // Expiry reminders
  readonly listKeysExpiringBetween: Store['listKeysExpiringBetween'] = (...a) =>
    this.reminders.listKeysExpiringBetween(...a);
  readonly claimExpiryReminder: Store['claimExpiryReminder'] = (...a) =>
    this.reminders.claimExpiryReminder(...a);
  readonly releaseExpiryReminder: Store['releaseExpiryReminder'] = (...a) =>
    this.reminders.releaseExpiryReminder(...a);
  // Event records (webhooks)
  readonly insertEvents: Store['insertEvents'] = (...a) => this.events.insertEvents(...a);
  readonly fanOutEvents: Store['fanOutEvents'] = (...a) => this.events.fanOutEvents(...a);
  readonly claimDueDeliveries: Store['claimDueDeliveries'] = (...a) =>
    this.events.claimDueDeliveries(...a);
  readonly recordAttempt: Store['recordAttempt'] = (...a) => this.events.recordAttempt(...a);
  readonly resendDelivery: Store['resendDelivery'] = (...a) => this.events.resendDelivery(...a);
  readonly findDeliveryById: Store['findDeliveryById'] = (...a) =>
    this.events.findDeliveryById(...a);
  readonly listDeliveries: Store['listDeliveries'] = (...a) => this.events.listDeliveries(...a);
  readonly countUndispatchedEvents: Store['countUndispatchedEvents'] = () =>
    this.events.countUndispatchedEvents();
  readonly insertEndpoint: Store['insertEndpoint'] = (...a) => this.events.insertEndpoint(...a);
  readonly findEndpointById: Store['findEndpointById'] = (...a) =>
    this.events.findEndpointById(...a);
  readonly listEndpoints: Store['listEndpoints'] = () => this.events.listEndpoints();
  readonly updateEndpoint: Store['updateEndpoint'] = (...a) => this.events.updateEndpoint(...a);
  readonly deleteEndpoint: Store['deleteEndpoint'] = (...a) => this.events.deleteEndpoint(...a);

  // Page sessions
  readonly getSession: Store['getSession'] = (...a) => this.sessions.getSession(...a);
  readonly setSession: Store['setSession'] = (...a) => this.sessions.setSession(...a);
  readonly destroySession: Store['destroySession'] = (...a) => this.sessions.destroySession(...a);
  readonly pruneSessions: Store['pruneSessions'] = (...a) => this.sessions.pruneSessions(...a);
  readonly getOwnerStamp: Store['getOwnerStamp'] = (...a) => this.sessions.getOwnerStamp(...a);
  readonly setOwnerStamp: Store['setOwnerStamp'] = (...a) => this.sessions.setOwnerStamp(...a);
}
