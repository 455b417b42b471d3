import type Database from 'better-sqlite3';

/** Numbered schema steps; each runs once, in order, inside a transaction. */
const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        email_lower TEXT NOT NULL UNIQUE,
        email_confirmed INTEGER NOT NULL,
        password_hash TEXT,
        picture_url TEXT,
        first_name TEXT,
        last_name TEXT,
        username TEXT,
        locked INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        mfa_enabled INTEGER NOT NULL,
        can_create_orgs INTEGER NOT NULL,
        update_password_required INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_active_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE orgs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url_safe_name TEXT NOT NULL UNIQUE,
        metadata TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE memberships (
        user_id TEXT NOT NULL,
        org_id TEXT NOT NULL,
        role TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, org_id)
      ) STRICT;
      CREATE INDEX memberships_by_org ON memberships (org_id);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        user_id TEXT,
        org_id TEXT,
        display_name TEXT NOT NULL,
        hint TEXT NOT NULL,
        metadata TEXT NOT NULL,
        expires_at INTEGER,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        archived_at INTEGER,
        imported INTEGER NOT NULL,
        created_by TEXT NOT NULL
      ) STRICT;
      CREATE INDEX api_keys_by_user ON api_keys (user_id, archived_at);
      CREATE INDEX api_keys_by_org ON api_keys (org_id, archived_at);
      CREATE INDEX api_keys_by_state ON api_keys (archived_at, created_at);

      CREATE TABLE key_usage (
        key_id TEXT NOT NULL,
        day TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (key_id, day)
      ) STRICT;
      CREATE INDEX key_usage_by_day ON key_usage (day);

      CREATE TABLE settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        data TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        ip TEXT,
        details TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_by_target ON audit_events (target_type, target_id);

      CREATE TABLE admins (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        email_lower TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_login_at INTEGER
      ) STRICT;

      CREATE TABLE setup_tokens (
        digest TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE integration_keys (
        id TEXT PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        hint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        archived_at INTEGER
      ) STRICT;

      CREATE TABLE sessions (
        sid TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_by_expiry ON sessions (expires_at);
    `,
  },
  {
    version: 2,
    sql: `ALTER TABLE api_keys ADD COLUMN rate_limit TEXT;`,
  },
  {
    version: 3,
    sql: `CREATE TABLE IF NOT EXISTS brand_assets (
      id TEXT PRIMARY KEY,
      content_type TEXT NOT NULL,
      bytes BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    // Sessions once held a just-created token until the next page showed it; tokens now
    // stay in process memory. Remove any left behind, zeroing the freed bytes.
    version: 4,
    sql: `
      PRAGMA secure_delete = ON;
      UPDATE sessions SET data = json_remove(data, '$.newKey', '$.newIntegrationKey')
        WHERE json_valid(data)
          AND (json_type(data, '$.newKey') IS NOT NULL
            OR json_type(data, '$.newIntegrationKey') IS NOT NULL);
      PRAGMA secure_delete = OFF;
    `,
  },
  {
    // Usage quotas with refill, and the previous digest of a rolled key during its grace period.
    version: 5,
    sql: `
      ALTER TABLE api_keys ADD COLUMN remaining INTEGER;
      ALTER TABLE api_keys ADD COLUMN refill TEXT;
      ALTER TABLE api_keys ADD COLUMN refilled_at INTEGER;
      ALTER TABLE api_keys ADD COLUMN previous_digest TEXT;
      ALTER TABLE api_keys ADD COLUMN previous_digest_expires_at INTEGER;
      CREATE UNIQUE INDEX api_keys_by_previous_digest ON api_keys (previous_digest);
    `,
  },
];

export function migrate(db: Database.Database): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  let count = 0;
  for (const step of MIGRATIONS) {
    if (applied.has(step.version)) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        step.version,
        Math.floor(Date.now() / 1000),
      );
    })();
    count++;
  }
  return count;
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
