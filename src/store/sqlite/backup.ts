import fs from 'node:fs';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { serverHolding } from './server-lock';

/** Where the time of the last backup is kept, beside the database, for the health page. */
export const backupRecordOf = (databasePath: string): string => `${databasePath}.last-backup.json`;

export interface BackupRecord {
  /** Unix seconds when the backup finished. */
  at: number;
  file: string;
  bytes: number;
}

/** The last backup recorded beside the database, or null. */
export function lastBackup(databasePath: string): BackupRecord | null {
  try {
    return JSON.parse(fs.readFileSync(backupRecordOf(databasePath), 'utf8')) as BackupRecord;
  } catch {
    return null;
  }
}

export class BackupError extends Error {}

/**
 * Copies the database to `target` with SQLite's online backup, safe while a server reads
 * and writes it: the copy is one consistent state. A write by another connection restarts
 * the copy; after one restart the rest is copied in a single step (a read that, in WAL mode,
 * does not block writers) so a busy server cannot keep it from finishing.
 */
export async function backupSqlite(
  databasePath: string,
  target: string,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<BackupRecord> {
  if (!fs.existsSync(databasePath)) throw new BackupError(`no database at ${databasePath}`);
  const db = new Database(databasePath, { fileMustExist: true });
  const partial = `${target}.partial`;
  try {
    db.pragma('busy_timeout = 5000');
    let lastRemaining = Infinity;
    await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        onProgress(totalPages - remainingPages, totalPages);
        const restarted = remainingPages > lastRemaining;
        lastRemaining = remainingPages;
        return restarted ? totalPages : 1_000;
      },
    });
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  fs.renameSync(partial, target);
  const record = {
    at: Math.floor(Date.now() / 1000),
    file: target,
    bytes: fs.statSync(target).size,
  };
  fs.writeFileSync(backupRecordOf(databasePath), `${JSON.stringify(record)}\n`);
  return record;
}

/** Checks a backup: SQLite's integrity check and a schema version this Latchkey can run. */
export function checkBackup(file: string): { schemaVersion: number } {
  if (!fs.existsSync(file)) throw new BackupError(`no backup at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = db.pragma('integrity_check', { simple: false }) as {
      integrity_check: string;
    }[];
    const verdict = problems.map((p) => p.integrity_check);
    if (verdict.join() !== 'ok')
      throw new BackupError(
        `the backup fails the integrity check: ${verdict.slice(0, 3).join('; ')}`,
      );
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (!hasTable)
      throw new BackupError('the file is not a Latchkey database (no schema_migrations)');
    const version = Number(
      db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() ?? 0,
    );
    if (version > LATEST_SCHEMA_VERSION)
      throw new BackupError(
        `the backup has schema version ${version}, newer than this Latchkey's ${LATEST_SCHEMA_VERSION}: upgrade Latchkey first`,
      );
    return { schemaVersion: version };
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`the backup cannot be read as SQLite: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Replaces the database with a checked backup. Refuses while a server holds the file (its
 * pid file, see server-lock.ts). The replaced database is kept as `<file>.before-restore`;
 * its WAL and shared-memory files go with it, so none is applied to the restored one.
 */
export function restoreSqlite(
  databasePath: string,
  backup: string,
): { schemaVersion: number; keptAs: string | null } {
  const pid = serverHolding(databasePath);
  if (pid !== null)
    throw new BackupError(
      `a server (pid ${pid}) has ${databasePath} open: stop it before restoring`,
    );
  const { schemaVersion } = checkBackup(backup);
  const incoming = `${databasePath}.restoring`;
  fs.copyFileSync(backup, incoming);
  let keptAs: string | null = null;
  if (fs.existsSync(databasePath)) {
    keptAs = `${databasePath}.before-restore`;
    fs.renameSync(databasePath, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) {
    if (!fs.existsSync(databasePath + suffix)) continue;
    if (keptAs) fs.renameSync(databasePath + suffix, keptAs + suffix);
    else fs.rmSync(databasePath + suffix);
  }
  fs.renameSync(incoming, databasePath);
  return { schemaVersion, keptAs };
}
