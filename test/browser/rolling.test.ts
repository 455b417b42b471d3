import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { PASSWORD } from '../support/pages';
import { chromiumPath, launch, startTestServer, type Browser } from './browser';

const executablePath = chromiumPath();

async function whoamiStatus(server: RunningServer, token: string): Promise<number> {
  const res = await fetch(`${server.url}/api/whoami`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  return res.status;
}

if (!executablePath) {
  describe('rolling a key in a browser', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('rolling a key in a browser', () => {
    jest.setTimeout(60_000);
    let server: RunningServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startTestServer();
      browser = await launch(executablePath);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('rolls a key from its page: the new token once, the old one kept for the grace chosen', async () => {
      const user = await server.latchkey.createUser({
        email: 'roller@example.com',
        password: PASSWORD,
      });
      const { apiKeyToken: oldToken } = await server.latchkey.createApiKey({
        userId: user.id,
        displayName: 'Deploy bot',
        remaining: 100,
      });
      const page: Page = await browser.context.newPage();
      const cspErrors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text()))
          cspErrors.push(msg.text());
      });
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My API keys' }).waitFor();

      await page.getByRole('link', { name: 'Deploy bot', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Deploy bot' }).waitFor();
      await page.locator('[data-remaining]').getByText('100').waitFor();
      await page.getByLabel('The old key').selectOption('1h');
      await page.getByRole('button', { name: 'Roll key' }).click();

      const newToken = (await page.locator('#new-key-token').inputValue()).trim();
      expect(newToken).toMatch(/^lk_/);
      expect(newToken).not.toBe(oldToken);
      await page.getByText('the old key keeps working until').waitFor();
      expect(await whoamiStatus(server, newToken)).toBe(200);
      expect(await whoamiStatus(server, oldToken)).toBe(200);

      await page.reload();
      expect(await page.locator('#new-key-token').count()).toBe(0);
      await page.getByText('Previous key').waitFor();

      await page.getByLabel('The old key').selectOption('0');
      await page.getByRole('button', { name: 'Roll key' }).click();
      const third = (await page.locator('#new-key-token').inputValue()).trim();
      await page.getByText('the old key no longer works').waitFor();
      expect(await whoamiStatus(server, newToken)).toBe(401);
      expect(await whoamiStatus(server, third)).toBe(200);
      expect(cspErrors).toEqual([]);
    });
  });
}
