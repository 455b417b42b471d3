import type { PageSessions } from '../../core/store';
import type { Sql } from './sql';

// Owner stamps are rows of the sessions table under a sid no session id can have
// (express-session makes base64url ids), expiring in the year 9999: no new table to migrate.
const ownerSid = (owner: string) => `owner:${owner}`;
const NEVER = 253_402_300_799;

function sessionStatements(sql: Sql) {
  return {
    getSession: sql.rows('SELECT data, expires_at FROM sessions WHERE sid = ? AND expires_at > ?'),
    setSession: sql.write(`INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`),
    destroySession: sql.write('DELETE FROM sessions WHERE sid = ?'),
    pruneSessions: sql.write('DELETE FROM sessions WHERE expires_at <= ?'),
    getOwnerStamp: sql.rows('SELECT data FROM sessions WHERE sid = ?'),
  };
}

export function sqlitePageSessions(sql: Sql): PageSessions {
  const s = sessionStatements(sql);
  return {
    getSession: async (sid, now) => {
      const row = s.getSession.get(sid, now);
      return row ? { data: String(row.data), expiresAt: Number(row.expires_at) } : null;
    },

    setSession: async (sid, record) => {
      s.setSession.run(sid, record.data, record.expiresAt);
    },

    destroySession: async (sid) => {
      s.destroySession.run(sid);
    },

    pruneSessions: async (now) => s.pruneSessions.run(now).changes,

    getOwnerStamp: async (owner) => {
      const row = s.getOwnerStamp.get(ownerSid(owner));
      return row ? String(row.data) : null;
    },

    setOwnerStamp: async (owner, stamp) => {
      s.setSession.run(ownerSid(owner), stamp, NEVER);
    },
  };
}
