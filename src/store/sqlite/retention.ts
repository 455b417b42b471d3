import type { RetentionRecords } from '../../core/store';
import type { Sql } from './sql';

const TABLES = [
  'users',
  'orgs',
  'memberships',
  'api_keys',
  'key_usage',
  'audit_events',
  'admins',
  'integration_keys',
  'sessions',
  'expiry_reminders',
  'webhook_events',
  'webhook_deliveries',
];

/** The retention deletes (each a small batch) and table sizes, across the roles they belong to. */
export function sqliteRetention(sql: Sql): RetentionRecords {
  const archivedKeys = sql.write(`DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys
    WHERE archived_at IS NOT NULL AND archived_at < ? LIMIT ?)`);
  const usage = sql.write(`DELETE FROM key_usage WHERE rowid IN (SELECT rowid FROM key_usage
    WHERE day < ? LIMIT ?)`);
  const audit = sql.write(`DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events
    WHERE at < ? ORDER BY seq LIMIT ?)`);
  const events = sql.write(`DELETE FROM webhook_events WHERE rowid IN (SELECT rowid
    FROM webhook_events WHERE dispatched_at IS NOT NULL AND dispatched_at < ? LIMIT ?)`);
  // A finished delivery's next_attempt_at is its last attempt's time (recordAttempt), so
  // the (status, next_attempt_at) index finds them.
  const deliveries = sql.write(`DELETE FROM webhook_deliveries WHERE rowid IN (SELECT rowid
    FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND next_attempt_at < ?
    LIMIT ?)`);
  const claims = sql.write(`DELETE FROM expiry_reminders WHERE rowid IN (SELECT rowid
    FROM expiry_reminders WHERE expires_at < ? LIMIT ?)`);
  return {
    deleteArchivedKeys: async (before, limit) => archivedKeys.run(before, limit).changes,
    deleteUsageBefore: async (day, limit) => usage.run(day, limit).changes,
    deleteAuditBefore: async (before, limit) => audit.run(before, limit).changes,
    deleteDispatchedEventsBefore: async (before, limit) => events.run(before, limit).changes,
    deleteFinishedDeliveriesBefore: async (before, limit) => deliveries.run(before, limit).changes,
    deleteExpiryClaimsBefore: async (before, limit) => claims.run(before, limit).changes,
    tableSizes: async () =>
      Object.fromEntries(
        TABLES.map((t) => [t, Number(sql.value<number>(`SELECT COUNT(*) FROM ${t}`).get())]),
      ),
  };
}
