import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/main';
import { loadConfig, StartupError } from '../../src/config';
import { createLatchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { createSqliteStore } from '../../src/store/sqlite';
import { checkSqliteFile } from '../../src/store/sqlite/sqlite-health';

/**
 * A database file that would only fail later is refused at start-up, by the server and by
 * the CLI, with a message naming the file and the cause.
 *
 * Tests run as root, which ignores file modes, so a read-only file is made two ways:
 * a connection opened with better-sqlite3's `readonly: true`, and, where `chattr` works
 * (root on ext4, tmpfs and most Linux file systems), the immutable attribute, which even
 * root cannot write through.
 */

let dir: string;
let file: string;
const saved = { ...process.env };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-file-'));
  file = path.join(dir, 'latchkey.db');
  const latchkey = await createLatchkey({ databasePath: file, bcryptCost: 4 });
  for (let i = 0; i < 200; i++) await latchkey.createUser({ email: `u${i}@example.com` });
  await latchkey.close();
});
afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Overwrites the last pages (the users written last) with garbage, leaving the header,
 * the schema and the migrations table readable: opening the file and migrating it work.
 */
function fillWithGarbage(target: string): void {
  const size = fs.statSync(target).size;
  const fd = fs.openSync(target, 'r+');
  const garbage = Buffer.alloc(Math.floor(size / 3 / 4096) * 4096, 0x5a);
  fs.writeSync(fd, garbage, 0, garbage.length, size - garbage.length);
  fs.closeSync(fd);
}

function immutable(target: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const start = () =>
  startServer(loadConfig({ PORT: '0', DATABASE_PATH: file }), createLogger({ level: 'silent' }));

async function cliError(...argv: string[]): Promise<{ code: number; stderr: string }> {
  process.env.DATABASE_PATH = file;
  let stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runCli(argv), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('a damaged database file', () => {
  beforeEach(() => fillWithGarbage(file));

  it('stops the server from starting, naming the file and the damage', async () => {
    const err = await start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toContain(JSON.stringify(file));
    expect((err as Error).message).toContain('the file is damaged');
  });

  it('stops the CLI too, with exit code 1 and the same message', async () => {
    const { code, stderr } = await cliError('list-integration-keys');
    expect(code).toBe(1);
    expect(stderr).toContain(JSON.stringify(file));
    expect(stderr).toContain('the file is damaged');
  });
});

describe('a read-only database file', () => {
  it('fails the start-up check on a read-only connection (readonly: true)', () => {
    const db = new Database(file, { readonly: true });
    try {
      expect(() => checkSqliteFile(db)).toThrow(/the file is read-only/);
    } finally {
      db.close();
    }
  });

  it('passes the start-up check when it can be written, leaving nothing behind', () => {
    const store = createSqliteStore(file);
    const tables = store.db
      .prepare("SELECT name FROM sqlite_master WHERE name = 'latchkey_write_probe'")
      .all();
    expect(tables).toEqual([]);
    store.db.close();
  });

  it('stops the server and the CLI when the file is immutable (chattr +i)', async () => {
    if (!immutable(file, true)) {
      console.log('chattr +i is not available here: the immutable-file case is skipped');
      return;
    }
    try {
      const err = await start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message).toContain(JSON.stringify(file));
      expect((err as Error).message).toContain('read-only');
      const { code, stderr } = await cliError('list-integration-keys');
      expect(code).toBe(1);
      expect(stderr).toContain('read-only');
    } finally {
      immutable(file, false);
    }
  });
});
