import type Database from 'better-sqlite3';
import { LatchkeyError } from '../../core/errors';

/**
 * SQLite result codes that say the file cannot be read or written (damaged, read-only,
 * full, gone, locked too long), not that a statement was wrong. Extended codes such as
 * SQLITE_READONLY_DBMOVED start with one of these.
 */
const FILE_FAILURES = [
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_PERM',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_PROTOCOL',
];

/** True for an error of better-sqlite3 that means the database file itself is failing. */
export function isFileFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    FILE_FAILURES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))
  );
}

/** The database file failed while running: a 503 `unavailable`, with the cause kept for the log. */
export function unavailableBecause(cause: unknown): LatchkeyError {
  const err = new LatchkeyError('unavailable', 'The database cannot be read or written right now.');
  err.cause = cause;
  return err;
}

const translated = (e: unknown): unknown => (isFileFailure(e) ? unavailableBecause(e) : e);

/**
 * The same roles, each method answering a failing file as Latchkey's `unavailable` error
 * (503 from every error handler, as on MongoDB when it is unreachable) instead of an
 * unexpected SqliteError. Wrapped once here, so a call costs a try/catch and no allocation.
 */
export function fileFailuresAsUnavailable<T extends object>(roles: T): T {
  for (const [name, value] of Object.entries(roles)) {
    if (typeof value !== 'function') continue;
    const method = value as (...args: unknown[]) => unknown;
    const guarded = function (this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = method.apply(this, args);
      } catch (e) {
        throw translated(e);
      }
      return result instanceof Promise
        ? result.catch((e: unknown) => Promise.reject(translated(e)))
        : result;
    };
    (roles as Record<string, unknown>)[name] = guarded;
  }
  return roles;
}

/**
 * Refuses, at start-up, a file that would only fail later: one `PRAGMA quick_check`
 * (pages overwritten with garbage, a truncated file) and one write that is rolled back
 * (a read-only file or folder). Throws an Error saying which; the caller names the file.
 */
export function checkSqliteFile(db: Database.Database): void {
  if (db.memory) return;
  let verdict: string[];
  try {
    verdict = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (e) {
    throw fileProblem('the file is damaged', e);
  }
  if (verdict.length !== 1 || verdict[0] !== 'ok')
    throw fileProblem('the file is damaged', `PRAGMA quick_check: ${verdict.join('; ')}`);
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE latchkey_write_probe (x)');
    } finally {
      db.exec('ROLLBACK');
    }
  } catch (e) {
    const code = String((e as { code?: unknown }).code);
    // Busy means another process is writing: the file itself can be written.
    if (code.startsWith('SQLITE_BUSY')) return;
    throw fileProblem(
      code.startsWith('SQLITE_READONLY') ? 'the file is read-only' : 'the file cannot be written',
      e,
    );
  }
}

function fileProblem(problem: string, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${problem}: ${detail}`, { cause });
}
