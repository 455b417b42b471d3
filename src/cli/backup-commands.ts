import { mongoConnectionOf, type Config } from '../config';
import { LatchkeyError } from '../core/errors';
import { backupSqlite, restoreSqlite } from '../store/sqlite/backup';

/** Commands that work on the SQLite file itself, with no Latchkey open on it. */
export interface FileCommand {
  summary: string;
  /** What the one positional argument is. */
  argument: string;
  run(config: Config, file: string): Promise<Record<string, unknown>>;
}

function sqliteOnly(config: Config, command: string): void {
  if (mongoConnectionOf(config))
    throw LatchkeyError.field(
      'database',
      `${command} works on the SQLite file; for MongoDB use mongodump/mongorestore (docs/operations.md)`,
    );
}

/** A progress bar on a terminal's standard error; nothing when it is not a terminal. */
function progressBar(): { show(done: number, total: number): void; end(): void } {
  const out = process.stderr;
  if (!out.isTTY) return { show: () => undefined, end: () => undefined };
  return {
    show(done, total) {
      const share = total > 0 ? done / total : 1;
      const filled = Math.round(share * 30);
      out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${Math.round(share * 100)}%`);
    },
    end: () => out.write('\n'),
  };
}

export const FILE_COMMANDS: Record<string, FileCommand> = {
  backup: {
    summary: 'Copy the SQLite database to <file>, consistently, while the server runs',
    argument: '<file>',
    async run(config, file) {
      sqliteOnly(config, 'backup');
      const bar = progressBar();
      try {
        const record = await backupSqlite(config.DATABASE_PATH, file, bar.show);
        return {
          backup: record.file,
          bytes: record.bytes,
          at: new Date(record.at * 1000).toISOString(),
        };
      } finally {
        bar.end();
      }
    },
  },
  restore: {
    summary:
      'Check a backup (integrity, schema version) and swap it in; the server must be stopped',
    argument: '<file>',
    async run(config, file) {
      sqliteOnly(config, 'restore');
      const { schemaVersion, keptAs } = restoreSqlite(config.DATABASE_PATH, file);
      return { restored: config.DATABASE_PATH, schemaVersion, previousDatabase: keptAs ?? 'none' };
    },
  },
};
