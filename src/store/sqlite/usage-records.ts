import type { UsageFilter, UsageRecords } from '../../core/store';
import type { Params, Sql } from './sql';

function usageStatements(sql: Sql) {
  return {
    addUsage: sql.write(`INSERT INTO key_usage (key_id, day, count) VALUES (?, ?, ?)
      ON CONFLICT (key_id, day) DO UPDATE SET count = count + excluded.count`),
    touchKey: sql.write(
      'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
    ),
    countUsage: ({ join, sql: where }: UsageWhere) =>
      sql.value<number>(
        `SELECT COALESCE(SUM(u.count), 0) FROM key_usage u ${join} WHERE u.day = ?${where}`,
      ),
    usageByDay: ({ join, sql: where }: UsageWhere) =>
      sql.rows(`SELECT u.day AS day, SUM(u.count) AS count FROM key_usage u ${join}
        WHERE u.day >= ? AND u.day <= ?${where} GROUP BY u.day ORDER BY u.day`),
  };
}

interface UsageWhere {
  join: string;
  sql: string;
  params: Params;
}

function usageWhere(f: UsageFilter): UsageWhere {
  const clauses: string[] = [];
  const params: Params = [];
  if (f.keyId) {
    clauses.push('u.key_id = ?');
    params.push(f.keyId);
  }
  if (f.userId) {
    clauses.push('k.user_id = ?');
    params.push(f.userId);
  }
  if (f.orgId) {
    clauses.push('k.org_id = ?');
    params.push(f.orgId);
  }
  const join = f.userId || f.orgId ? 'JOIN api_keys k ON k.id = u.key_id' : '';
  return { join, sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}

export function sqliteUsageRecords(sql: Sql): UsageRecords {
  const s = usageStatements(sql);
  return {
    recordUsage: async (increments) =>
      sql.transaction(() => {
        for (const inc of increments) {
          s.addUsage.run(inc.keyId, inc.day, inc.count);
          s.touchKey.run(inc.lastUsedAt, inc.keyId, inc.lastUsedAt);
        }
      })(),

    countUsage: async (day, filter) => {
      const where = usageWhere(filter);
      return Number(s.countUsage(where).get(day, ...where.params));
    },

    usageByDay: async (fromDay, toDay, filter) => {
      const where = usageWhere(filter);
      return s
        .usageByDay(where)
        .all(fromDay, toDay, ...where.params)
        .map((r) => ({ day: String(r.day), count: Number(r.count) }));
    },
  };
}
