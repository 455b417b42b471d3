import type { ReminderRecords } from '../../core/store';
import { keyFromRow } from './rows';
import type { Sql } from './sql';

/** Expiry reminders on SQLite: the (key, threshold) primary key makes each claim unique. */
export function sqliteReminderRecords(sql: Sql): ReminderRecords {
  const expiring = sql.rows(`SELECT * FROM api_keys WHERE archived_at IS NULL
    AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`);
  const claim = sql.write(`INSERT INTO expiry_reminders (key_id, threshold_days, sent_at)
    VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
  const release = sql.write('DELETE FROM expiry_reminders WHERE key_id = ? AND threshold_days = ?');
  return {
    listKeysExpiringBetween: async (after, until, limit) =>
      expiring.all(after, until, limit).map(keyFromRow),
    claimExpiryReminder: async (keyId, thresholdDays, now) =>
      claim.run(keyId, thresholdDays, now).changes === 1,
    releaseExpiryReminder: async (keyId, thresholdDays) => {
      release.run(keyId, thresholdDays);
    },
  };
}
