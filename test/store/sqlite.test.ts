import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, openSqliteDatabase } from '../../src/store/sqlite';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import { describeStoreContract } from './contract';

describeStoreContract('SQLite', async () => createSqliteStore(':memory:'));

describe('SQLite database file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-sqlite-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing folders, uses WAL and applies every migration once', () => {
    const file = path.join(dir, 'nested', 'db.sqlite');
    const db = openSqliteDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = () => db.prepare('SELECT version FROM schema_migrations').pluck().all();
    const all = Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1);
    expect(versions()).toEqual(all);
    db.close();
    const again = openSqliteDatabase(file);
    expect(again.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(
      LATEST_SCHEMA_VERSION,
    );
    again.close();
  });

  it('has unique indexes on key digest, key id and user email', () => {
    const db = openSqliteDatabase(':memory:');
    const unique = (table: string) =>
      (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; unique: number }[])
        .filter((i) => i.unique)
        .flatMap((i) =>
          (db.prepare(`PRAGMA index_info(${i.name})`).all() as { name: string }[]).map(
            (c) => c.name,
          ),
        );
    expect(unique('api_keys')).toEqual(expect.arrayContaining(['id', 'digest']));
    expect(unique('users')).toEqual(expect.arrayContaining(['email_lower']));
    db.close();
  });
});
