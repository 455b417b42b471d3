import type { AdminRecords } from './admin-records';
import type { DirectoryRecords } from './directory-records';
import type { EventRecords } from './event-records';
import type { KeyRecords } from './key-records';
import type { PageSessions } from './page-sessions';
import type { ReminderRecords } from './reminder-records';
import type { RetentionRecords } from './retention-records';
import type { UsageRecords } from './usage-records';

export * from './admin-records';
export * from './directory-records';
export * from './event-records';
export * from './key-records';
export * from './page-sessions';
export * from './paging';
export * from './reminder-records';
export * from './retention-records';
export * from './usage-records';

/**
 * Everything Latchkey needs from a database, named by what the core does, one role
 * per interface. Missing records are `null` or `[]`; methods throw only for the
 * unexpected. Every cascade (a `...And...` method) is atomic. A write that takes
 * `events` stores them in the webhook outbox together with the change (see EventRecords).
 */
export interface Store
  extends
    KeyRecords,
    DirectoryRecords,
    UsageRecords,
    AdminRecords,
    PageSessions,
    RetentionRecords,
    ReminderRecords,
    EventRecords {
  readonly kind: 'sqlite' | 'mongo';
  /**
   * False on a MongoDB-compatible server whose concurrent updates of one document can
   * overwrite each other (seen on FerretDB): conditional claims (a moved expiry's reminder,
   * a webhook delivery's lease) are then at-least-once instead of exactly-once. Omitted
   * means true.
   */
  readonly atomicUpdates?: boolean;
  close(): Promise<void>;
}
