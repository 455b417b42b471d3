import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger';
import { announceSetupLink, removeStaleSetupLink, SETUP_LINK_FILE } from '../src/setup-link';
import { spawnTs, waitForLine } from './support/child';
import { LogCapture } from './support/harness';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-setup-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LINK = /\/admin\/setup\?token=[A-Za-z0-9_-]{43}/;

describe('the first-admin setup link', () => {
  it('goes to an owner-only file, named in the log, when stdout is not a terminal', async () => {
    const { child, lines, exited } = spawnTs('src/server.ts', [], {
      PORT: '0',
      DATABASE_PATH: path.join(dir, 'latchkey.db'),
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
    });
    const seen: string[] = [];
    const announced = await waitForLine(lines, (line) => {
      seen.push(line);
      return line.includes('setup link is in this file');
    }).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    });
    const file = (JSON.parse(announced) as { file: string }).file;
    expect(file).toBe(path.join(dir, SETUP_LINK_FILE));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(LINK);
    child.kill('SIGTERM');
    for await (const line of lines) seen.push(line);
    await exited;
    expect(seen.join('\n')).not.toMatch(/token=/);
  }, 30_000);

  it('is printed, and only printed, when stdout is a terminal', () => {
    const logs = new LogCapture();
    const printed: string[] = [];
    const link = 'http://127.0.0.1:3000/admin/setup?token=' + 'x'.repeat(43);
    announceSetupLink(link, {
      isTTY: true,
      write: (text) => printed.push(text),
      logger: createLogger({ level: 'debug', destination: logs }),
      databasePath: path.join(dir, 'latchkey.db'),
    });
    expect(printed.join('')).toContain(link);
    expect(logs.text).toContain('printed on the terminal');
    expect(logs.text).not.toContain('token=');
    expect(fs.existsSync(path.join(dir, SETUP_LINK_FILE))).toBe(false);
  });

  it('replaces a looser old file, and is removed once an admin exists', () => {
    const file = path.join(dir, SETUP_LINK_FILE);
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    announceSetupLink('http://x/admin/setup?token=new', {
      isTTY: false,
      write: () => undefined,
      logger: createLogger({ level: 'silent' }),
      databasePath: path.join(dir, 'latchkey.db'),
    });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('token=new');
    removeStaleSetupLink(path.join(dir, 'latchkey.db'));
    expect(fs.existsSync(file)).toBe(false);
  });
});
