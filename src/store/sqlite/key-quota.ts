import { quotaAt } from '../../core/quota';
import type { KeyRecords, UseLease } from '../../core/store';
import type { Refill } from '../../core/types';
import { insertEventsNow } from './event-records';
import { keyFromRow } from './rows';
import type { Sql } from './sql';

interface QuotaRow {
  remaining: number | null;
  refill: string | null;
  refilled_at: number | null;
}

/** Quota leases and rolling on SQLite: each a single write transaction. */
export function sqliteKeyQuota(sql: Sql): Pick<KeyRecords, 'leaseUses' | 'returnUses' | 'rollKey'> {
  const quotaOf = sql.rows(
    'SELECT remaining, refill, refilled_at FROM api_keys WHERE id = ? AND archived_at IS NULL',
  );
  const setQuota = sql.write('UPDATE api_keys SET remaining = ?, refilled_at = ? WHERE id = ?');
  const giveBack = sql.write(`UPDATE api_keys SET remaining = remaining + ?
    WHERE id = ? AND remaining IS NOT NULL AND refilled_at IS ?`);
  const roll = sql.rows(`UPDATE api_keys SET previous_digest = digest,
    previous_digest_expires_at = ?, digest = ?, hint = ?
    WHERE id = ? AND archived_at IS NULL RETURNING *`);

  // IMMEDIATE takes the write lock before reading: two processes cannot both read the
  // same count and each take from it.
  const lease = sql.transaction(
    (keyId: string, least: number, want: number, now: number): UseLease | null => {
      const row = quotaOf.get(keyId) as QuotaRow | undefined;
      if (!row || row.remaining === null) return null;
      const refill = row.refill === null ? null : (JSON.parse(row.refill) as Refill);
      const state = quotaAt({ remaining: row.remaining, refill, refilledAt: row.refilled_at }, now);
      const granted =
        state.remaining >= want ? want : state.remaining >= least ? state.remaining : 0;
      const remaining = state.remaining - granted;
      if (granted > 0 || state.period !== row.refilled_at)
        setQuota.run(remaining, state.period, keyId);
      return { granted, remaining, period: state.period, nextRefillAt: state.nextRefillAt };
    },
  );

  return {
    leaseUses: async (keyId, least, want, now) => lease.immediate(keyId, least, want, now),
    returnUses: async (keyId, uses, period) => {
      if (uses > 0) giveBack.run(uses, keyId, period);
    },
    rollKey: async (id, next, previousExpiresAt, events) =>
      sql.transaction(() => {
        const row = roll.get(previousExpiresAt, next.digest, next.hint, id);
        if (row) insertEventsNow(sql, events);
        return row ? keyFromRow(row) : null;
      })(),
  };
}
