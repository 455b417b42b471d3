import type { Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/server';
import { PASSWORD } from '../support/pages';
import { chromiumPath, launch, type Browser } from './browser';

const executablePath = chromiumPath();

const SCOPES = JSON.stringify({
  scopes: [
    { name: 'projects:read', description: 'Read your projects' },
    { name: 'projects:write', description: 'Change your projects' },
    { name: 'billing:admin', description: 'Manage billing', kinds: ['personal'] },
  ],
  defaultScopes: ['projects:read'],
});

if (!executablePath) {
  describe('the create form with scopes in a browser', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('the create form with scopes in a browser', () => {
    jest.setTimeout(60_000);
    let server: RunningServer;
    let browser: Browser;

    beforeAll(async () => {
      const config = loadConfig({
        PORT: '0',
        DATABASE_PATH: ':memory:',
        BCRYPT_COST: '4',
        LOG_LEVEL: 'silent',
        SESSION_SECRET: 'browser-test-secret-'.padEnd(40, 'x'),
        SCOPES,
      });
      server = await startServer(config, createLogger({ level: 'silent' }));
      browser = await launch(executablePath);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function signedIn(email: string): Promise<Page> {
      await server.latchkey.createUser({ email, password: PASSWORD });
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My API keys' }).waitFor();
      return page;
    }

    it('ticks scopes and sets an allowlist, and the key holds exactly those', async () => {
      const page = await signedIn('scopes@example.com');
      await page.getByRole('link', { name: 'Create key' }).click();
      const read = page.getByRole('checkbox', { name: 'projects:read' });
      const write = page.getByRole('checkbox', { name: 'projects:write' });
      expect(await read.isChecked()).toBe(true);
      expect(await write.isChecked()).toBe(false);
      await page.getByText('Change your projects').waitFor();

      await page.getByLabel('Name', { exact: true }).fill('Deploy bot');
      await read.uncheck();
      await write.check();
      await page.getByText('Advanced').click();
      await page.getByLabel('Allowed IP addresses').fill('not an address');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByText('is not an IP address or CIDR range').first().waitFor();
      // The form keeps what was ticked.
      expect(await page.getByRole('checkbox', { name: 'projects:write' }).isChecked()).toBe(true);
      expect(await page.getByRole('checkbox', { name: 'projects:read' }).isChecked()).toBe(false);

      await page.getByLabel('Allowed IP addresses').fill('127.0.0.1\n10.0.0.0/8');
      await page.getByRole('button', { name: 'Create key' }).click();
      const token = (await page.locator('#new-key-token').inputValue()).trim();
      const v = await server.latchkey.validateApiKey(token, { ip: '10.1.2.3' });
      expect(v.valid && v.apiKey.scopes).toEqual(['projects:write']);
      expect((await server.latchkey.validateApiKey(token, { ip: '192.0.2.1' })).valid).toBe(false);
      // The server's own route sees 127.0.0.1, which is listed.
      const res = await fetch(`${server.url}/api/whoami`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    });
  });
}
