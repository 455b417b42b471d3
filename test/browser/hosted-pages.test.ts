import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { PASSWORD } from '../support/pages';
import { chromiumPath, launch, SCREENSHOTS, startTestServer, type Browser } from './browser';

const executablePath = chromiumPath();

async function whoami(server: RunningServer, token: string) {
  const res = await fetch(`${server.url}/api/whoami`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

if (!executablePath) {
  console.log('Browser tests skipped: Chromium is not installed (apt-get install chromium).');
  describe('hosted pages in a browser', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('hosted pages in a browser', () => {
    jest.setTimeout(60_000);
    let server: RunningServer;
    let browser: Browser;
    let cspErrors: string[];

    beforeAll(async () => {
      server = await startTestServer();
      browser = await launch(executablePath);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function newPage(): Promise<Page> {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      cspErrors = [];
      page.on('console', (msg) => {
        // A 4xx page is logged as a failed load too; only policy refusals matter here.
        if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text()))
          cspErrors.push(msg.text());
      });
      return page;
    }

    async function signIn(page: Page, email: string) {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    const shot = (page: Page, name: string, mask: string[] = []) =>
      page.screenshot({
        path: path.join(SCREENSHOTS, `${name}.png`),
        fullPage: true,
        mask: mask.map((s) => page.locator(s)),
      });

    async function createKey(page: Page, name: string, screenshot?: string) {
      await page.getByRole('link', { name: 'Create key' }).click();
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Expires').selectOption('1m');
      if (screenshot) await shot(page, screenshot);
      await page.getByRole('button', { name: 'Create key' }).click();
      return (await page.locator('#new-key-token').inputValue()).trim();
    }

    async function revoke(page: Page, name: string, screenshot?: string) {
      await page.getByRole('link', { name: `Revoke ${name}` }).click();
      if (screenshot) await shot(page, screenshot);
      await page.getByRole('button', { name: 'Revoke key' }).click();
      await page.getByText(`Revoked “${name}”`).waitFor();
    }

    it('signs in, creates a personal key, uses it, revokes it and sees it fail', async () => {
      const user = await server.latchkey.createUser({
        email: 'dev@example.com',
        password: PASSWORD,
      });
      const page = await newPage();
      await page.goto(`${server.url}/login`);
      await shot(page, 'login');
      await signIn(page, user.email);
      await page.getByRole('heading', { level: 1, name: 'My API keys' }).waitFor();

      await page.getByRole('link', { name: 'Create key' }).click();
      await page.getByLabel('Expires').selectOption('6m');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByText('Name: must not be empty').waitFor();
      expect(await page.getByLabel('Expires').inputValue()).toBe('6m');
      await shot(page, 'create-key-error');
      await page.goto(`${server.url}/keys`);

      const token = await createKey(page, 'Laptop CLI', 'create-key');
      expect(token).toMatch(/^lk_/);
      await page.getByText('It will not be shown again').waitFor();
      await shot(page, 'new-key-shown-once', ['#new-key-token']);

      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
        origin: server.url,
      });
      await page.getByRole('button', { name: 'Copy key' }).click();
      await page.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);

      const ok = await whoami(server, token);
      expect(ok.status).toBe(200);
      expect((ok.body.user as { userId: string }).userId).toBe(user.id);

      await page.reload();
      expect(await page.locator('#new-key-token').count()).toBe(0);
      await page.goBack();
      expect(await page.locator('#new-key-token').count()).toBe(0);
      await page.goto(`${server.url}/keys`);
      await shot(page, 'my-keys');

      await revoke(page, 'Laptop CLI', 'revoke-confirm');
      await shot(page, 'my-keys-after-revoke');
      expect((await whoami(server, token)).status).toBe(401);
      expect(cspErrors).toEqual([]);
    });

    it('lets an org admin create an org key, use it and revoke it', async () => {
      const admin = await server.latchkey.createUser({
        email: 'admin@acme.example',
        password: PASSWORD,
      });
      const org = await server.latchkey.createOrg({ name: 'Acme' });
      await server.latchkey.addUserToOrg(org.id, admin.id, 'Admin');
      const page = await newPage();
      await signIn(page, admin.email);
      await page.getByRole('link', { name: 'Organization API keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'API keys of Acme' }).waitFor();

      const token = await createKey(page, 'Acme deploys');
      const ok = await whoami(server, token);
      expect(ok.status).toBe(200);
      expect((ok.body.org as { orgId: string }).orgId).toBe(org.id);
      await page.reload();
      await shot(page, 'org-keys');

      await revoke(page, 'Acme deploys');
      expect((await whoami(server, token)).status).toBe(401);
      expect(cspErrors).toEqual([]);
    });

    it('shows a plain member the org keys read-only, with no way to create one', async () => {
      const member = await server.latchkey.createUser({
        email: 'member@acme.example',
        password: PASSWORD,
      });
      const org = await server.latchkey.createOrg({ name: 'Globex' });
      await server.latchkey.addUserToOrg(org.id, member.id, 'Member');
      await server.latchkey.createApiKey({ orgId: org.id, displayName: 'Nightly export' });
      const page = await newPage();
      await signIn(page, member.email);
      await page.goto(`${server.url}/orgs/${org.id}/keys`);
      await page.getByText('can see these keys but not create or revoke them').waitFor();
      await page.getByRole('cell', { name: 'Nightly export' }).waitFor();
      expect(await page.getByRole('link', { name: /^Revoke/ }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Create key' }).count()).toBe(0);
      await shot(page, 'org-keys-member');
      const res = await page.goto(`${server.url}/orgs/${org.id}/keys/new`);
      expect(res?.status()).toBe(403);
    });

    it('works with JavaScript off: the token is shown as selectable text', async () => {
      const user = await server.latchkey.createUser({
        email: 'nojs@example.com',
        password: PASSWORD,
      });
      const noJs = await launch(executablePath, false);
      try {
        const page = await noJs.context.newPage();
        await page.goto(`${server.url}/login`);
        await page.getByLabel('Email').fill(user.email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const token = await createKey(page, 'No JS');
        expect(token).toMatch(/^lk_/);
        expect(await page.getByRole('button', { name: 'Copy key' }).isVisible()).toBe(false);
        expect((await whoami(server, token)).status).toBe(200);
      } finally {
        await noJs.close();
      }
    });

    it('fits a phone screen', async () => {
      const user = await server.latchkey.createUser({
        email: 'phone@example.com',
        password: PASSWORD,
      });
      await server.latchkey.createApiKey({ userId: user.id, displayName: 'Phone shortcut' });
      const page = await newPage();
      await page.setViewportSize({ width: 375, height: 740 });
      await signIn(page, user.email);
      await page.getByRole('heading', { level: 1, name: 'My API keys' }).waitFor();
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await shot(page, 'my-keys-phone');
    });
  });
}
