import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/server';

/** Debian's Chromium, or null when it is not installed. */
export function chromiumPath(): string | null {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh Chromium profile each run, so no state leaks between runs. */
export async function launchChromium(executablePath: string) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'latchkey-admin-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 800 },
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The standalone server on a free port over a throwaway database. */
export async function startAdminTestServer(): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    DATABASE_PATH: ':memory:',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'admin-browser-test-secret-'.padEnd(40, 'x'),
  });
  return startServer(config, createLogger({ level: 'silent' }));
}

export const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');
