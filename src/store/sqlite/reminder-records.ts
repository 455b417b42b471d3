import type { ReminderRecords } from '../../core/store';
import { insertEventsNow } from './event-records';
import { keyFromRow } from './rows';
import type { Sql } from './sql';

/** Expiry reminders on SQLite: the (key, threshold) primary key makes each claim unique. */
export function sqliteReminderRecords(sql: Sql): ReminderRecords {
  const expiring = sql.rows(`SELECT * FROM api_keys WHERE archived_at IS NULL
    AND expires_at > ? AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`);
  // From a page's last key on: the same expiry with a later id, or a later expiry.
  const expiringAfter = sql.rows(`SELECT * FROM api_keys WHERE archived_at IS NULL
    AND expires_at >= ? AND expires_at <= ? AND (expires_at > ? OR id > ?)
    ORDER BY expires_at, id LIMIT ?`);
  // A claim for an earlier expiry of the key is taken over; one for this expiry stands.
  const claim = sql.write(`INSERT INTO expiry_reminders (key_id, threshold_days, expires_at,
    sent_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id, threshold_days) DO UPDATE
    SET expires_at = excluded.expires_at, sent_at = excluded.sent_at
    WHERE expiry_reminders.expires_at <> excluded.expires_at`);
  const release = sql.write('DELETE FROM expiry_reminders WHERE key_id = ? AND threshold_days = ?');
  return {
    listKeysExpiringBetween: async (after, until, limit, afterId) =>
      (afterId === undefined
        ? expiring.all(after, until, limit)
        : expiringAfter.all(after, until, after, afterId, limit)
      ).map(keyFromRow),
    claimExpiryReminder: async (keyId, thresholdDays, expiresAt, now, events) =>
      sql.transaction(() => {
        const taken = claim.run(keyId, thresholdDays, expiresAt, now).changes === 1;
        if (taken) insertEventsNow(sql, events);
        return taken;
      })(),
    releaseExpiryReminder: async (keyId, thresholdDays) => {
      release.run(keyId, thresholdDays);
    },
  };
}
