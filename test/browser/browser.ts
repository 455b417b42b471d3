import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server';
import { createLogger } from '../../src/logger';

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

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh Chromium profile each time, so no state leaks between runs. */
export async function launch(executablePath: string, javaScriptEnabled = true): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'latchkey-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    javaScriptEnabled,
    viewport: { width: 1100, height: 800 },
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
export async function startTestServer(): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    DATABASE_PATH: ':memory:',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'browser-test-secret-'.padEnd(40, 'x'),
  });
  return startServer(config, createLogger({ level: 'silent' }));
}

/**
 * Screenshots go to test-results/ (ignored by git) so a test run leaves the tree clean;
 * `UPDATE_SCREENSHOTS=1 npx jest test/browser` refreshes the ones in docs/.
 */
export const SCREENSHOTS = path.resolve(
  __dirname,
  process.env.UPDATE_SCREENSHOTS === '1'
    ? '../../docs/screenshots'
    : '../../test-results/screenshots',
);
