import type { ApiKey } from '../types';

/**
 * What expiry reminders need: the keys about to expire, and a record of each reminder
 * sent, one per key and threshold, claimed before sending so that two processes on one
 * database (or one process after a restart) never send the same reminder twice.
 */
export interface ReminderRecords {
  /** Keys not archived that expire after `after` and at or before `until`, soonest first. */
  listKeysExpiringBetween(after: number, until: number, limit: number): Promise<ApiKey[]>;
  /**
   * Records the reminder `thresholdDays` before the key's expiry at `expiresAt` as sent.
   * True for the one caller that recorded it; false when it was recorded already, by
   * anyone, for that same expiry (a key whose expiry was moved since is due again).
   */
  claimExpiryReminder(
    keyId: string,
    thresholdDays: number,
    expiresAt: number,
    now: number,
  ): Promise<boolean>;
  /** Forgets a claimed reminder that could not be sent, so a later pass tries again. */
  releaseExpiryReminder(keyId: string, thresholdDays: number): Promise<void>;
}
