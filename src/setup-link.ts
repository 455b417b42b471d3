import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from './logger';

/** Where the first-admin link goes when there is no terminal to print it on. */
export const SETUP_LINK_FILE = 'admin-setup-link.txt';

export interface SetupLinkOutput {
  /** True when stdout is a terminal a person reads, not a pipe a log collector keeps. */
  isTTY: boolean;
  write(text: string): void;
  logger: Logger;
  /** The SQLite file, whose folder holds the link file; null (MongoDB, :memory:) uses a temp folder. */
  databasePath: string | null;
}

const message = (link: string) =>
  `No admin yet. Create the first one within an hour at:\n  ${link}\n` +
  '(or run: npm run -s latchkey -- create-admin --email you@example.com --password ...)\n';

function linkFolder(databasePath: string | null): string {
  if (databasePath && databasePath !== ':memory:') return path.dirname(path.resolve(databasePath));
  return fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-'));
}

/**
 * Hands over the one-time first-admin link without putting it in the log: on a terminal it
 * is printed; otherwise (stdout piped to a log collector) it goes to a file only this user
 * can read, and the log names the file.
 */
export function announceSetupLink(link: string, out: SetupLinkOutput): void {
  if (out.isTTY) {
    out.write(`\n${message(link)}\n`);
    out.logger.info('No admin yet: the one-time setup link is printed on the terminal');
    return;
  }
  const file = path.join(linkFolder(out.databasePath), SETUP_LINK_FILE);
  // A fresh file, so an old one's looser mode cannot carry over.
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, message(link), { mode: 0o600, flag: 'wx' });
  out.logger.warn(
    { file },
    'No admin yet: the one-time setup link is in this file (readable by its owner only); it expires in an hour',
  );
}

/** Once an admin exists, a link file left by an earlier start is of no use: remove it. */
export function removeStaleSetupLink(databasePath: string | null): void {
  if (!databasePath || databasePath === ':memory:') return;
  fs.rmSync(path.join(path.dirname(path.resolve(databasePath)), SETUP_LINK_FILE), { force: true });
}
