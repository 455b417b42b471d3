import type {
  DeliveryStatus,
  EventRecords,
  OutboxEvent,
  WebhookDelivery,
  WebhookEndpoint,
} from '../../core/store';
import type { JsonObject } from '../../core/types';
import type { Row } from './row-reader';
import { paged, type Params, type Sql } from './sql';

export const endpointFromRow = (r: Row): WebhookEndpoint => ({
  id: String(r.id),
  url: String(r.url),
  events: JSON.parse(String(r.events)) as string[],
  enabled: r.enabled === 1,
  secret: String(r.secret),
  createdAt: Number(r.created_at),
  disabledReason: r.disabled_reason === null ? null : String(r.disabled_reason),
  failingSince: r.failing_since === null ? null : Number(r.failing_since),
});

const numberOrNull = (v: unknown): number | null => (v === null ? null : Number(v));

export const deliveryFromRow = (r: Row): WebhookDelivery => ({
  id: String(r.id),
  eventId: String(r.event_id),
  endpointId: String(r.endpoint_id),
  eventType: String(r.event_type),
  eventAt: Number(r.event_at),
  data: JSON.parse(String(r.data)) as JsonObject,
  status: String(r.status) as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  claimedUntil: Number(r.claimed_until),
  lastStatusCode: numberOrNull(r.last_status_code),
  lastLatencyMs: numberOrNull(r.last_latency_ms),
  lastError: r.last_error === null ? null : String(r.last_error),
  lastAttemptAt: numberOrNull(r.last_attempt_at),
  createdAt: Number(r.created_at),
});

/** Whether an event goes to the endpoint: the one it names, else every enabled subscriber. */
export function receives(endpoint: WebhookEndpoint, type: unknown, only: unknown): boolean {
  if (only !== null && only !== undefined) return endpoint.id === only;
  return (
    endpoint.enabled && (endpoint.events.includes('*') || endpoint.events.includes(String(type)))
  );
}

/**
 * Writes events to the outbox. Called inside the transaction of the change they report
 * (better-sqlite3 transactions are synchronous), so both commit or neither does.
 */
export function insertEventsNow(sql: Sql, events: readonly OutboxEvent[] | undefined): void {
  if (!events) return;
  const insert = sql.write(
    'INSERT INTO webhook_events (id, type, at, data, endpoint_id) VALUES (?, ?, ?, ?, ?)',
  );
  for (const e of events)
    insert.run(e.id, e.type, e.at, JSON.stringify(e.data), e.endpointId ?? null);
}

export function sqliteEventRecords(sql: Sql): EventRecords {
  const endpointById = sql.rows('SELECT * FROM webhook_endpoints WHERE id = ?');

  const fanOut = (now: number, limit: number): number => {
    const events = sql
      .rows('SELECT * FROM webhook_events WHERE dispatched_at IS NULL ORDER BY at, rowid LIMIT ?')
      .all(limit);
    if (events.length === 0) return 0;
    const endpoints = sql.rows('SELECT * FROM webhook_endpoints').all().map(endpointFromRow);
    const insert = sql.write(`INSERT OR IGNORE INTO webhook_deliveries (id, event_id, endpoint_id,
      event_type, event_at, data, status, attempts, next_attempt_at, claimed_until, created_at)
      VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?)`);
    const done = sql.write('UPDATE webhook_events SET dispatched_at = ? WHERE id = ?');
    for (const e of events) {
      for (const endpoint of endpoints) {
        if (!receives(endpoint, e.type, e.endpoint_id)) continue;
        const id = `${String(e.id)}:${endpoint.id}`;
        insert.run(id, e.id, endpoint.id, e.type, e.at, e.data, now, now);
      }
      done.run(now, e.id);
    }
    return events.length;
  };

  return {
    insertEvents: async (events) => sql.transaction(() => insertEventsNow(sql, events))(),

    fanOutEvents: async (now, limit) => sql.transaction(() => fanOut(now, limit)).immediate(),

    // One statement: the sub-select and the update cannot interleave with another process's.
    claimDueDeliveries: async (now, leaseSeconds, limit) =>
      sql
        .rows(
          `UPDATE webhook_deliveries SET claimed_until = ? WHERE id IN (
            SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
              AND claimed_until < ? ORDER BY next_attempt_at LIMIT ?)
           RETURNING *`,
        )
        .all(now + leaseSeconds, now, now, limit)
        .map(deliveryFromRow),

    recordAttempt: async (id, r) => {
      sql
        .write(
          `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
            claimed_until = 0, last_status_code = ?, last_latency_ms = ?, last_error = ?,
            last_attempt_at = ? WHERE id = ?`,
        )
        .run(r.status, r.attempts, r.nextAttemptAt, r.statusCode, r.latencyMs, r.error, r.at, id);
    },

    resendDelivery: async (id, now) => {
      const row = sql
        .rows(
          `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, claimed_until = 0
           WHERE id = ? RETURNING *`,
        )
        .get(now, id);
      return row ? deliveryFromRow(row) : null;
    },

    findDeliveryById: async (id) => {
      const row = sql.rows('SELECT * FROM webhook_deliveries WHERE id = ?').get(id);
      return row ? deliveryFromRow(row) : null;
    },

    listDeliveries: async (endpointId, page) =>
      paged(
        sql,
        'webhook_deliveries',
        'WHERE endpoint_id = ?',
        [endpointId],
        'created_at DESC, rowid DESC',
        page,
        deliveryFromRow,
      ),

    countUndispatchedEvents: async () =>
      Number(
        sql.value<number>('SELECT COUNT(*) FROM webhook_events WHERE dispatched_at IS NULL').get(),
      ),

    insertEndpoint: async (e) => {
      sql
        .write(
          `INSERT INTO webhook_endpoints (id, url, events, enabled, secret, created_at,
            disabled_reason, failing_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          e.id,
          e.url,
          JSON.stringify(e.events),
          e.enabled ? 1 : 0,
          e.secret,
          e.createdAt,
          e.disabledReason,
          e.failingSince,
        );
    },

    findEndpointById: async (id) => {
      const row = endpointById.get(id);
      return row ? endpointFromRow(row) : null;
    },

    listEndpoints: async () =>
      sql
        .rows('SELECT * FROM webhook_endpoints ORDER BY created_at, rowid')
        .all()
        .map(endpointFromRow),

    updateEndpoint: async (id, patch) => {
      const sets: string[] = [];
      const params: Params = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        params.push(value);
      };
      if (patch.url !== undefined) set('url', patch.url);
      if (patch.events !== undefined) set('events', JSON.stringify(patch.events));
      if (patch.enabled !== undefined) set('enabled', patch.enabled ? 1 : 0);
      if (patch.disabledReason !== undefined) set('disabled_reason', patch.disabledReason);
      if (patch.failingSince !== undefined) set('failing_since', patch.failingSince);
      if (sets.length === 0) {
        const row = endpointById.get(id);
        return row ? endpointFromRow(row) : null;
      }
      const row = sql
        .rows(`UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = ? RETURNING *`)
        .get(...params, id);
      return row ? endpointFromRow(row) : null;
    },

    deleteEndpoint: async (id) =>
      sql.transaction(() => {
        sql.write('DELETE FROM webhook_deliveries WHERE endpoint_id = ?').run(id);
        return sql.write('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes > 0;
      })(),
  };
}
