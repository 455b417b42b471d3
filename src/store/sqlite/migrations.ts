import { revisionTriggers } from './revision-triggers';
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
    // Strict consistency reads this one row before each validation (see key-records.ts):
    // it moves with every write a validation can observe, in that write's transaction,
    // and with no other (usage counts, last-used times, audit, sessions, rate limits).
    // Written to run again harmlessly on a file whose record of steps was rolled back.
    version: 5,
    sql: `
      CREATE TABLE IF NOT EXISTS validation_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      ) STRICT;
      INSERT OR IGNORE INTO validation_revision (id, value) VALUES (1, 0);
      ${revisionTriggers('api_keys', ['INSERT', 'DELETE', 'UPDATE OF id, digest, kind, user_id, org_id, metadata, expires_at, archived_at, imported, rate_limit'])}
      ${revisionTriggers('users', ['DELETE', 'UPDATE OF id, email, email_confirmed, password_hash, picture_url, locked, enabled, mfa_enabled, can_create_orgs, update_password_required, created_at, last_active_at'])}
      ${revisionTriggers('orgs', ['DELETE', 'UPDATE OF id, name, url_safe_name, metadata, created_at'])}
      ${revisionTriggers('memberships', ['INSERT', 'DELETE', 'UPDATE'])}
      ${revisionTriggers('settings', ['INSERT', 'DELETE', 'UPDATE'])}
    `,
  },
  {
    // Expiry reminders sent, one per key and threshold: the primary key is the claim.
    version: 6,
    sql: `
      CREATE TABLE IF NOT EXISTS expiry_reminders (
        key_id TEXT NOT NULL,
        threshold_days INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (key_id, threshold_days)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS api_keys_by_expiry ON api_keys (expires_at) WHERE archived_at IS NULL;
    `,
  },
  {
    // Webhooks: the outbox (written with the change it reports), endpoints and deliveries.
    version: 7,
    sql: `
      CREATE TABLE IF NOT EXISTS webhook_events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL,
        endpoint_id TEXT,
        dispatched_at INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS webhook_events_undispatched ON webhook_events (dispatched_at, at);

      CREATE TABLE IF NOT EXISTS webhook_endpoints (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled_reason TEXT,
        failing_since INTEGER
      ) STRICT;

      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        event_at INTEGER NOT NULL,
        data TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        claimed_until INTEGER NOT NULL,
        last_status_code INTEGER,
        last_latency_ms INTEGER,
        last_error TEXT,
        last_attempt_at INTEGER,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
      CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
    `,
  },
  {
    // Scopes and IP allowlists as JSON arrays; NULL scopes = the product's default set,
    // NULL allowed_ips = anywhere. Both change what a validation answers, so the api_keys
    // trigger of step 5 is made again with them in its column list.
    version: 8,
    sql: `
      ALTER TABLE api_keys ADD COLUMN scopes TEXT;
      ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT;
      DROP TRIGGER IF EXISTS api_keys_update_moves_validation_revision;
      ${revisionTriggers('api_keys', ['UPDATE OF id, digest, kind, user_id, org_id, metadata, expires_at, archived_at, imported, rate_limit, scopes, allowed_ips'])}
    `,
  },
  {
    // Usage quotas with refill, and the previous digest of a rolled key during its grace
    // period. The api_keys revision trigger is made again with the rolling columns; a
    // quota's count moves on every lease, so it moves the revision only when a key gains
    // or loses its quota (validation asks only whether there is one).
    version: 9,
    sql: `
      ALTER TABLE api_keys ADD COLUMN remaining INTEGER;
      ALTER TABLE api_keys ADD COLUMN refill TEXT;
      ALTER TABLE api_keys ADD COLUMN refilled_at INTEGER;
      ALTER TABLE api_keys ADD COLUMN previous_digest TEXT;
      ALTER TABLE api_keys ADD COLUMN previous_digest_expires_at INTEGER;
      CREATE UNIQUE INDEX IF NOT EXISTS api_keys_by_previous_digest ON api_keys (previous_digest);
      DROP TRIGGER IF EXISTS api_keys_update_moves_validation_revision;
      ${revisionTriggers('api_keys', ['UPDATE OF id, digest, kind, user_id, org_id, metadata, expires_at, archived_at, imported, rate_limit, scopes, allowed_ips, previous_digest, previous_digest_expires_at'])}
      CREATE TRIGGER IF NOT EXISTS api_keys_quota_moves_validation_revision
      AFTER UPDATE OF remaining ON api_keys
      WHEN (OLD.remaining IS NULL) <> (NEW.remaining IS NULL)
      BEGIN UPDATE validation_revision SET value = value + 1 WHERE id = 1; END;
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
