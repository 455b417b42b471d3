import { PassThrough } from 'node:stream';
import {
  countsMatch,
  renderProgress,
  runMigrateCommand,
  TABLES,
} from '../../src/cli/migrate-sqlite-to-mongo';
import { openSqliteDatabase } from '../../src/store/sqlite';

/** The parts of `npm run migrate:sqlite-to-mongo` that need no MongoDB (the copy itself runs in mongo.test.ts). */

describe('SQLite to MongoDB migration', () => {
  // schema_migrations and validation_revision are SQLite's own bookkeeping, with nothing to copy.
  it('has a plan for every SQLite table', () => {
    const db = openSqliteDatabase(':memory:');
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'validation_revision')",
      )
      .pluck()
      .all() as string[];
    db.close();
    expect(TABLES.map((t) => t.table).sort()).toEqual(tables.sort());
  });

  it('maps each kind of row to an upsert by its natural id', () => {
    const plan = (table: string) => TABLES.find((t) => t.table === table)!;
    expect(plan('key_usage').toUpsert({ key_id: 'k', day: '2026-01-01', count: 3 })).toEqual({
      filter: { keyId: 'k', day: '2026-01-01' },
      doc: { keyId: 'k', day: '2026-01-01', count: 3 },
    });
    expect(
      plan('memberships').toUpsert({ user_id: 'u', org_id: 'o', role: 'Admin', joined_at: 5 }),
    ).toEqual({
      filter: { userId: 'u', orgId: 'o' },
      doc: { userId: 'u', orgId: 'o', role: 'Admin', joinedAt: 5 },
    });
    const session = plan('sessions').toUpsert({ sid: 's', data: '{}', expires_at: 10 });
    expect(session).toEqual({
      filter: { _id: 's' },
      doc: { _id: 's', data: '{}', expiresAt: 10, expireAt: new Date(10_000) },
    });
  });

  it('draws a progress bar', () => {
    expect(renderProgress('users', 5, 10, 10)).toBe('[#####.....]  50%  users 5/10');
    expect(renderProgress('empty', 0, 0, 4)).toBe('[####] 100%  empty 0/0');
  });

  it('passes the count check only when MongoDB has at least every SQLite record', () => {
    expect(countsMatch([{ table: 'users', sqlite: 2, mongo: 2 }])).toBe(true);
    expect(countsMatch([{ table: 'users', sqlite: 2, mongo: 3 }])).toBe(true);
    expect(countsMatch([{ table: 'users', sqlite: 2, mongo: 1 }])).toBe(false);
  });
});

describe('npm run migrate:sqlite-to-mongo', () => {
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    const err = new PassThrough();
    let text = '';
    err.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await runMigrateCommand(args, env, err);
    return { code, text };
  };

  it('explains its flags', async () => {
    const { code, text } = await run(['--help'], {});
    expect(code).toBe(0);
    expect(text).toContain('--from <sqlite file>');
  });

  it('says where to copy to when no MongoDB is named', async () => {
    const { code, text } = await run([], {});
    expect(code).toBe(1);
    expect(text).toContain('Set MONGODB_URI');
  });

  it('names the SQLite file it cannot find, before touching MongoDB', async () => {
    const { code, text } = await run(['--from', '/nonexistent/latchkey.db'], {
      MONGODB_URI: 'mongodb://127.0.0.1:1/latchkey',
    });
    expect(code).toBe(1);
    expect(text).toContain('No SQLite database at /nonexistent/latchkey.db');
  });
});
