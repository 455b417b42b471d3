import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { chromiumPath, launch, SCREENSHOTS, startTestServer, type Browser } from './browser';

const executablePath = chromiumPath();
const USER_PASSWORD = 'correct horse battery';
const ADMIN_EMAIL = 'ops@example.com';
const ADMIN_PASSWORD = 'ops admin password';

if (!executablePath) {
  console.log('Admin browser test skipped: Chromium is not installed (apt-get install chromium).');
  describe('admin dashboard in a browser', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('admin dashboard in a browser', () => {
    jest.setTimeout(120_000);
    let server: RunningServer;
    let browser: Browser;
    let admin: Page;
    let endUser: Page;
    let personalToken: string;
    let orgToken: string;
    let orgId: string;
    let userId: string;
    // Only CSP refusals count: pages answering 404 on purpose also log console errors.
    const consoleErrors: string[] = [];

    const whoami = async (token: string) =>
      (
        await fetch(`${server.url}/api/whoami`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status;
    const status = async (page: Page, p: string) =>
      (await page.goto(`${server.url}${p}`))!.status();
    const shot = (name: string, mask: string[] = []) =>
      admin.screenshot({
        path: path.join(SCREENSHOTS, `admin-${name}.png`),
        fullPage: true,
        mask: mask.map((s) => admin.locator(s)),
        maskColor: '#535b6b',
      });

    /** Flips one toggle on the settings page and saves. */
    async function setToggle(label: string, on: boolean) {
      await admin.goto(`${server.url}/admin/settings`);
      await admin.getByLabel(label, { exact: true }).setChecked(on);
      await admin.getByRole('button', { name: 'Save settings' }).click();
      await admin.getByText('Settings saved.').waitFor();
    }

    beforeAll(async () => {
      server = await startTestServer();
      const lk = server.latchkey;
      const user = await lk.createUser({ email: 'dev@example.com', password: USER_PASSWORD });
      userId = user.id;
      const org = await lk.createOrg({ name: 'Acme Rockets' });
      orgId = org.id;
      await lk.addUserToOrg(org.id, user.id, 'Owner');
      personalToken = (await lk.createApiKey({ userId: user.id, displayName: 'CI deploys' }))
        .apiKeyToken;
      orgToken = (
        await lk.createApiKey({ orgId: org.id, userId: user.id, displayName: 'Billing sync' })
      ).apiKeyToken;
      await lk.createApiKey({ displayName: 'Backend worker', metadata: { service: 'worker' } });
      for (let i = 0; i < 5; i++) await whoami(personalToken);
      await whoami(orgToken);
      browser = await launch(executablePath);
      admin = await browser.context.newPage();
      endUser = await browser.context.newPage();
      for (const page of [admin, endUser])
        page.on('console', (m) => {
          if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
            consoleErrors.push(m.text());
        });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('sets up the first admin from the one-time link', async () => {
      const link = await server.latchkey.adminSetupLinkIfNone(server.url);
      await admin.goto(link!);
      await admin.getByLabel('Email').fill(ADMIN_EMAIL);
      await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
      await shot('setup', ['input[type=password]']);
      await admin.getByRole('button', { name: 'Create admin' }).click();
      await admin.getByRole('heading', { name: 'Settings' }).waitFor();
      expect(new URL(admin.url()).pathname).toBe('/admin/settings');
      // The link is spent.
      await admin.goto(link!);
      expect(await admin.getByText('An admin already exists').count()).toBe(1);
    });

    it('signs the end user in beside the admin, in separate sessions', async () => {
      await endUser.goto(`${server.url}/login`);
      await endUser.getByLabel('Email').fill('dev@example.com');
      await endUser.getByLabel('Password').fill(USER_PASSWORD);
      await endUser.getByRole('button', { name: 'Sign in' }).click();
      await endUser.getByRole('heading', { name: 'My API keys' }).waitFor();
      expect(await status(admin, '/admin/settings')).toBe(200);
      const cookies = await browser.context.cookies();
      expect(cookies.find((c) => c.name === 'latchkey.admin.sid')?.path).toBe('/admin');
      expect(cookies.find((c) => c.name === 'latchkey.sid')?.path).toBe('/');
    });

    it('personal keys off: personal keys fail and the personal page is gone; on again restores', async () => {
      await setToggle('Personal API keys', false);
      expect(await whoami(personalToken)).toBe(401);
      expect(await whoami(orgToken)).toBe(200);
      expect(await status(endUser, '/keys')).toBe(404);
      await setToggle('Personal API keys', true);
      expect(await whoami(personalToken)).toBe(200);
      expect(await status(endUser, '/keys')).toBe(200);
    });

    it('org keys off: org keys fail and the org page is gone; on again restores', async () => {
      await setToggle('Organization API keys', false);
      expect(await whoami(orgToken)).toBe(401);
      expect(await status(endUser, `/orgs/${orgId}/keys`)).toBe(404);
      await setToggle('Organization API keys', true);
      expect(await whoami(orgToken)).toBe(200);
      expect(await status(endUser, `/orgs/${orgId}/keys`)).toBe(200);
    });

    it('hosted page toggles hide the pages but keep the keys working', async () => {
      await setToggle('“My API keys” page', false);
      expect(await status(endUser, '/keys')).toBe(404);
      expect(await whoami(personalToken)).toBe(200);
      await setToggle('“My API keys” page', true);
      await setToggle('“Organization API keys” page', false);
      expect(await status(endUser, `/orgs/${orgId}/keys`)).toBe(404);
      expect(await whoami(orgToken)).toBe(200);
      await setToggle('“Organization API keys” page', true);
      expect(await status(endUser, `/orgs/${orgId}/keys`)).toBe(200);
    });

    it('self sign-up opens the sign-up page', async () => {
      expect(await status(endUser, '/signup')).toBe(404);
      await setToggle('Self sign-up on the hosted pages', true);
      expect(await status(endUser, '/signup')).toBe(200);
      await setToggle('Self sign-up on the hosted pages', false);
    });

    it('the leave rule changes what removing a member says', async () => {
      await setToggle('Revoke org keys when their creator leaves the org', true);
      await admin.goto(`${server.url}/admin/orgs/${orgId}/members/${userId}/remove`);
      await admin.getByText('will be archived and stop working').waitFor();
      await setToggle('Revoke org keys when their creator leaves the org', false);
      await admin.goto(`${server.url}/admin/orgs/${orgId}/members/${userId}/remove`);
      await admin.getByText('will keep working').waitFor();
    });

    it('refuses an invalid setting and shows the form as typed', async () => {
      await admin.goto(`${server.url}/admin/settings`);
      await admin.getByLabel('Token prefix').fill('Not-OK');
      await admin.getByRole('button', { name: 'Save settings' }).click();
      await admin.getByRole('alert').waitFor();
      expect(await admin.getByLabel('Token prefix').inputValue()).toBe('Not-OK');
      await shot('settings-error');
      expect(server.latchkey.getSettings().tokenPrefix).toBe('lk');
    });

    it('takes a screenshot of every admin page', async () => {
      await admin.goto(`${server.url}/admin/settings`);
      await shot('settings');
      await admin.goto(`${server.url}/admin/users`);
      await shot('users');
      await admin.goto(`${server.url}/admin/users/${userId}`);
      await shot('user');
      await admin.goto(`${server.url}/admin/users/${userId}/delete`);
      await shot('user-delete');
      await admin.goto(`${server.url}/admin/orgs`);
      await shot('orgs');
      await admin.goto(`${server.url}/admin/orgs/${orgId}`);
      await shot('org');
      await admin.goto(`${server.url}/admin/keys`);
      await shot('keys');
      await admin.getByRole('link', { name: 'Backend worker' }).click();
      await shot('key');
      await admin.goto(`${server.url}/admin/integration-keys`);
      await admin.getByLabel('Name').fill('Billing service');
      await admin.getByRole('button', { name: 'Create integration key' }).click();
      await admin.getByText('It will not be shown again').waitFor();
      await shot('integration-keys', ['textarea.token']);
      await admin.goto(`${server.url}/admin/usage`);
      await shot('usage');
      await admin.goto(`${server.url}/admin/audit`);
      await shot('audit');
      await admin.goto(`${server.url}/admin/admins`);
      await shot('admins');
      expect(consoleErrors).toEqual([]);
    });

    it('signs the admin out', async () => {
      await admin.getByRole('button', { name: 'Sign out' }).click();
      await admin.getByRole('heading', { name: 'Admin sign-in' }).waitFor();
      await shot('login');
      expect(await status(endUser, '/keys')).toBe(200);
    });
  });
}
