import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { chromiumPath, launch, startTestServer, type Browser } from './browser';

const executablePath = chromiumPath();
const ADMIN_EMAIL = 'layout-admin@example.com';
const ADMIN_PASSWORD = 'layout admin password';

if (!executablePath) {
  console.log('Admin layout browser test skipped: Chromium is not installed.');
  describe('admin pages at 1280 px', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('admin pages at 1280 px', () => {
    jest.setTimeout(120_000);
    let server: RunningServer;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      server = await startTestServer();
      const lk = server.latchkey;
      const by = { actor: 'cli', ip: '2001:db8:85a3::8a2e:370:7334' };
      await lk.createAdmin({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      const user = await lk.createUser({
        email: 'a.rather.long.address.for.wrapping@subdomain.example.com',
      });
      const org = await lk.createOrg({ name: 'Acme Rockets and Very Long Names Incorporated' });
      await lk.addUserToOrg(org.id, user.id, 'Owner', by);
      for (let i = 0; i < 12; i++)
        await lk.createApiKey({ userId: user.id, displayName: `Deploy key number ${i}` }, by);
      await lk.updateSettings(
        {
          maxKeysPerUser: 40,
          maxKeysPerOrg: 40,
          tokenPrefix: 'acme',
          expiryChoices: ['1m', '3m', 'never'],
          defaultExpiry: 'never',
          userRateLimit: { limit: 100, periodSeconds: 60 },
        },
        by,
      );
      await lk.deleteUser(user.id, by);
      await lk.createUser({ email: 'taken@example.com' });
      browser = await launch(executablePath);
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.url}/admin/login`);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin\/(?!login)/);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('fits the audit table in its container with short rows', async () => {
      await page.goto(`${server.url}/admin/audit`);
      // Run in the page, so written as text (the tests compile without the DOM types).
      const size = await page.evaluate<{
        scroll: number;
        client: number;
        page: number;
        rows: number;
        tallest: number;
      }>(`(() => {
        const wrap = document.querySelector('.table-wrap');
        const rows = [...document.querySelectorAll('table.audit tbody tr')];
        return {
          scroll: wrap.scrollWidth,
          client: wrap.clientWidth,
          page: document.documentElement.scrollWidth,
          rows: rows.length,
          tallest: Math.max(...rows.map((r) => r.getBoundingClientRect().height)),
        };
      })()`);
      expect(size.rows).toBeGreaterThan(10);
      expect(size.scroll).toBeLessThanOrEqual(size.client);
      expect(size.page).toBeLessThanOrEqual(1280);
      expect(size.tallest).toBeLessThan(160);
    });

    it('marks the current nav item with a bar that descenders do not break', async () => {
      await page.goto(`${server.url}/admin/settings`);
      const style = await page.evaluate<{
        textDecorationLine: string;
        textDecorationSkipInk: string;
        boxShadow: string;
      }>(`(() => {
        const css = getComputedStyle(document.querySelector('header.site nav a[aria-current=page]'));
        return {
          textDecorationLine: css.textDecorationLine,
          textDecorationSkipInk: css.textDecorationSkipInk,
          boxShadow: css.boxShadow,
        };
      })()`);
      const underlined = style.textDecorationLine.includes('underline');
      expect(underlined ? style.textDecorationSkipInk === 'none' : style.boxShadow !== 'none').toBe(
        true,
      );
    });

    it('keeps a rate limit on one line on the settings page', async () => {
      await page.goto(`${server.url}/admin/settings`);
      const middles = await page.evaluate<number[]>(`(() => {
        const set = document.querySelector('fieldset.rate-limit');
        return [...set.querySelectorAll('input, select')].map((el) => {
          const box = el.getBoundingClientRect();
          return box.top + box.height / 2;
        });
      })()`);
      expect(middles.length).toBe(3);
      expect(Math.max(...middles) - Math.min(...middles)).toBeLessThan(8);
    });

    it('moves focus to the error summary when a form fails', async () => {
      await page.goto(`${server.url}/admin/users`);
      await page.locator('#field-email').fill('taken@example.com');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.locator('#form-errors').waitFor();
      expect(await page.evaluate<string>('document.activeElement.id')).toBe('form-errors');
      expect(await page.title()).toMatch(/^Error: /);
    });
  });
}
