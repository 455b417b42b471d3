import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, openSqliteDatabase } from '../../src/store/sqlite';
import { aKey } from '../support/fixtures';

describe('upgrading an SQLite database', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-upgrade-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds per-key rate limits to a database made before them, keeping existing keys', async () => {
    const file = path.join(dir, 'v1.db');
    const { key } = aKey({ displayName: 'Old key' });
    const store = createSqliteStore(file);
    await store.insertKey(key, 0, key.createdAt);
    await store.close();
    // Turn the file back into a version 1 database that already holds a key.
    const db = openSqliteDatabase(file);
    db.exec(DROP_REVISION_TRIGGERS);
    db.exec(
      `ALTER TABLE api_keys DROP COLUMN rate_limit;
       ALTER TABLE api_keys DROP COLUMN scopes;
       ALTER TABLE api_keys DROP COLUMN allowed_ips;
       DELETE FROM schema_migrations WHERE version > 1`,
    );
    // And without the columns later versions add (quotas, rolling).
    db.exec(`DROP INDEX api_keys_by_previous_digest;
      ALTER TABLE api_keys DROP COLUMN remaining; ALTER TABLE api_keys DROP COLUMN refill;
      ALTER TABLE api_keys DROP COLUMN refilled_at; ALTER TABLE api_keys DROP COLUMN previous_digest;
      ALTER TABLE api_keys DROP COLUMN previous_digest_expires_at;`);
    db.close();

    const upgraded = createSqliteStore(file);
    expect(await upgraded.findKeyById(key.id)).toEqual({ ...key, rateLimit: null });
    await upgraded.close();
  });

  it('adds scopes and IP allowlists to a database made before them: null (default set, anywhere)', async () => {
    const file = path.join(dir, 'v4.db');
    const { key } = aKey({ scopes: ['projects:read'], allowedIps: ['10.0.0.0/8'] });
    const store = createSqliteStore(file);
    await store.insertKey(key, 0, key.createdAt);
    await store.close();
    const db = openSqliteDatabase(file);
    db.exec(DROP_REVISION_TRIGGERS);
    db.exec(`ALTER TABLE api_keys DROP COLUMN scopes;
      ALTER TABLE api_keys DROP COLUMN allowed_ips;
      DELETE FROM schema_migrations WHERE version = 8`);
    db.close();

    const upgraded = createSqliteStore(file);
    expect(await upgraded.findKeyById(key.id)).toEqual({ ...key, scopes: null, allowedIps: null });
    await upgraded.close();
  });

  it('adds quotas and rolling to a database made before them: no quota, no previous token', async () => {
    const file = path.join(dir, 'v8.db');
    const { key } = aKey({ remaining: 5 });
    const store = createSqliteStore(file);
    await store.insertKey(key, 0, key.createdAt);
    await store.close();
    const db = openSqliteDatabase(file);
    db.exec(DROP_REVISION_TRIGGERS);
    db.exec(`DROP INDEX api_keys_by_previous_digest;
      ALTER TABLE api_keys DROP COLUMN remaining; ALTER TABLE api_keys DROP COLUMN refill;
      ALTER TABLE api_keys DROP COLUMN refilled_at; ALTER TABLE api_keys DROP COLUMN previous_digest;
      ALTER TABLE api_keys DROP COLUMN previous_digest_expires_at;
      DELETE FROM schema_migrations WHERE version = 9`);
    db.close();

    const upgraded = createSqliteStore(file);
    expect(await upgraded.findKeyById(key.id)).toEqual({ ...key, remaining: null });
    // The revision trigger is back: a revoke still moves what strict mode reads.
    const before = upgraded.validationRevisionSync();
    await upgraded.archiveKey(key.id, key.createdAt + 1);
    expect(upgraded.validationRevisionSync()).toBeGreaterThan(before);
    await upgraded.close();
  });
});

/** The api_keys triggers name columns a test drops; migrations make them again. */
const DROP_REVISION_TRIGGERS = `DROP TRIGGER IF EXISTS api_keys_update_moves_validation_revision;
  DROP TRIGGER IF EXISTS api_keys_quota_moves_validation_revision;`;
