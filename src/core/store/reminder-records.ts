import type { ApiKey } from '../types';
import type { OutboxEvent } from './event-records';

/**
 * What the expiry job needs: the keys about to expire (or just expired), and a record of
 * each notice given, one per key and threshold, claimed before it is given so that two
 * processes on one database (or one process after a restart) never give the same one
 * twice. Reminder thresholds are whole days (1 or more); threshold 0 records that the key's
 * `api_key.expired` event was raised.
 */
export interface ReminderRecords {
  /**
   * Keys not archived that expire after `after` and at or before `until`, soonest first
   * (ties by id). With `afterId`, a key expiring exactly at `after` is listed too when its
   * id sorts after `afterId`: the cursor of the previous page's last key.
   */
  listKeysExpiringBetween(
    after: number,
    until: number,
    limit: number,
    afterId?: string,
  ): Promise<ApiKey[]>;
  /**
   * Records the notice `thresholdDays` before the key's expiry at `expiresAt` as given.
   * True for the one caller that recorded it; false when it was recorded already, by
   * anyone, for that same expiry (a key whose expiry was moved since is due again).
   * `events` go to the webhook outbox with the claim, only when this caller takes it (in
   * its transaction on SQLite; just after it on MongoDB, as durable as the claim).
   */
  claimExpiryReminder(
    keyId: string,
    thresholdDays: number,
    expiresAt: number,
    now: number,
    events?: OutboxEvent[],
  ): Promise<boolean>;
  /** Forgets a claimed reminder that could not be sent, so a later pass tries again. */
  releaseExpiryReminder(keyId: string, thresholdDays: number): Promise<void>;
}
