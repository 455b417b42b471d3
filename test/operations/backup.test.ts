import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/main';
import { createLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { backupSqlite, lastBackup, restoreSqlite } from '../../src/store/sqlite/backup';
import { holdDatabaseFile } from '../../src/store/sqlite/server-lock';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-backup-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const open = (databasePath: string) =>
  createLatchkey({ databasePath, logger: createLogger({ level: 'silent' }), cacheTtlMs: 0 });

describe('backup and restore of the SQLite file', () => {
  it('restores a backup taken under write load: every key acknowledged before it validates', async () => {
    const live = path.join(dir, 'live.db');
    const lk = await open(live);
    const tokens: string[] = [];
    for (let i = 0; i < 300; i++) tokens.push((await lk.createApiKey({})).apiKeyToken);
    let writing = true;
    const load = (async () => {
      while (writing) {
        tokens.push((await lk.createApiKey({})).apiKeyToken);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const acknowledgedBefore = tokens.length;
    const target = path.join(dir, 'backup.db');
    const record = await backupSqlite(live, target);
    writing = false;
    await load;
    await lk.close();
    expect(lastBackup(live)?.file).toBe(target);
    expect(record.bytes).toBeGreaterThan(0);

    const restoredPath = path.join(dir, 'restored.db');
    restoreSqlite(restoredPath, target);
    const restored = await open(restoredPath);
    try {
      const verdicts = await Promise.all(tokens.map((t) => restored.validateApiKey(t)));
      const valid = verdicts.map((v) => v.valid);
      expect(valid.slice(0, acknowledgedBefore).every(Boolean)).toBe(true);
      // One consistent state: the keys it holds are the first ones created, with no gap.
      const held = valid.lastIndexOf(true) + 1;
      expect(valid.slice(0, held).every(Boolean)).toBe(true);
    } finally {
      await restored.close();
    }
  });

  it('refuses to restore while a server holds the database file', async () => {
    const live = path.join(dir, 'live.db');
    const lk = await open(live);
    await lk.close();
    await backupSqlite(live, path.join(dir, 'b.db'));
    const held = holdDatabaseFile(live)!;
    try {
      expect(() => restoreSqlite(live, path.join(dir, 'b.db'))).toThrow(/server \(pid \d+\)/);
    } finally {
      held.release();
    }
    expect(restoreSqlite(live, path.join(dir, 'b.db')).keptAs).toBe(`${live}.before-restore`);
  });

  it('refuses a file that fails the integrity check or has a newer schema', async () => {
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all'.repeat(100));
    expect(() => restoreSqlite(path.join(dir, 'x.db'), junk)).toThrow(/cannot be read as SQLite/);

    const newer = path.join(dir, 'newer.db');
    const lk = await open(newer);
    await lk.close();
    const db = new Database(newer);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
    db.close();
    expect(() => restoreSqlite(path.join(dir, 'x.db'), newer)).toThrow(/schema version 999/);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  it('runs as `latchkey backup <file>` and `latchkey restore <file>`', async () => {
    const live = path.join(dir, 'live.db');
    const lk = await open(live);
    const { apiKeyToken } = await lk.createApiKey({});
    await lk.close();
    const saved = process.env.DATABASE_PATH;
    process.env.DATABASE_PATH = live;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['backup', path.join(dir, 'cli.db'), '--json'])).toBe(0);
      expect(await runCli(['restore', path.join(dir, 'cli.db'), '--json'])).toBe(0);
      expect(await runCli(['backup'])).toBe(2);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.DATABASE_PATH;
      else process.env.DATABASE_PATH = saved;
    }
    const reopened = await open(live);
    expect((await reopened.validateApiKey(apiKeyToken)).valid).toBe(true);
    await reopened.close();
  });
});
