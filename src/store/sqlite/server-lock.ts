import fs from 'node:fs';

/**
 * The file a running server writes beside its SQLite database (`<file>.server-pid`), holding
 * its process id. SQLite's own locks are held only during a transaction, so they cannot tell
 * an idle server from none: `latchkey restore` reads this file instead.
 */
export const serverPidFileOf = (databasePath: string): string => `${databasePath}.server-pid`;

/** Writes the pid file; `release` removes it (if it is still this process's). */
export function holdDatabaseFile(databasePath: string): { release(): void } | null {
  if (databasePath === ':memory:') return null;
  const file = serverPidFileOf(databasePath);
  fs.writeFileSync(file, `${process.pid}\n`);
  return {
    release() {
      try {
        if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
      } catch {
        // Already gone.
      }
    },
  };
}

/** The pid of a live server holding the file, or null (no pid file, or its process is gone). */
export function serverHolding(databasePath: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(serverPidFileOf(databasePath), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM' ? pid : null;
  }
}
