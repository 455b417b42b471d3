import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../../src/server';
import { chromiumPath, launch, SCREENSHOTS, startTestServer, type Browser } from './browser';

const executablePath = chromiumPath();
const PASSWORD = 'correct horse battery';
const BRAND = {
  productName: 'Acme Cloud',
  primaryColor: '#7a1fa2',
  accentColor: '#0b5345',
  backUrl: 'https://app.example.com/settings',
  supportUrl: 'https://help.example.com/',
  footerText: '© Acme Cloud Ltd.',
};

/** A solid-colour RGB PNG, made here so the test needs no image files. */
function png(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Everything a person can read on the page: text, title, alt texts, titles of elements. */
const visibleWords = (page: Page): Promise<string> =>
  page.evaluate(`[
    document.title,
    document.body.innerText,
    ...[...document.querySelectorAll('[alt],[title],[aria-label]')].map((e) =>
      ['alt', 'title', 'aria-label'].map((a) => e.getAttribute(a) ?? '').join(' '),
    ),
  ].join('\\n')`);

/** A computed style of the first element matching `selector`. */
const cssOf = (page: Page, selector: string, property: string): Promise<string> =>
  page.evaluate(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`,
  );

const directives = (csp: string | null): Record<string, string[]> =>
  Object.fromEntries(
    (csp ?? '').split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );

if (!executablePath) {
  describe('branded hosted pages in a browser', () => {
    it.skip('skipped because Chromium is not installed (apt-get install chromium)', () => {});
  });
} else {
  describe('branded hosted pages in a browser', () => {
    jest.setTimeout(120_000);
    let server: RunningServer;
    let browser: Browser;
    let page: Page;
    let plainCsp: string | null;

    beforeAll(async () => {
      server = await startTestServer();
      const lk = server.latchkey;
      plainCsp = (await fetch(`${server.url}/login`)).headers.get('content-security-policy');
      const user = await lk.createUser({ email: 'dev@example.com', password: PASSWORD });
      await lk.createApiKey({ userId: user.id, displayName: 'Production server' });
      const logo = await lk.uploadBrandImage(png(96, 32, [242, 169, 0]));
      await lk.updateSettings({ branding: { ...BRAND, logo: { assetId: logo.assetId } } });
      browser = await launch(executablePath);
      page = await browser.context.newPage();
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email').fill('dev@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'My API keys' }).waitFor();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it.each(['light', 'dark'] as const)(
      'shows the product name, logo and colours in the %s scheme, never "Latchkey"',
      async (colorScheme) => {
        await page.emulateMedia({ colorScheme });
        await page.setViewportSize({ width: 1100, height: 800 });
        await page.goto(`${server.url}/keys`);
        expect(await page.title()).toBe('My API keys · Acme Cloud');
        await expect(page.locator('header.site .brand').innerText()).resolves.toContain(
          'Acme Cloud',
        );
        const logoWidth = await page.evaluate(
          "document.querySelector('header.site img.logo').naturalWidth",
        );
        expect(logoWidth).toBe(96);
        expect(await page.getByRole('link', { name: 'Back to Acme Cloud' }).count()).toBe(1);
        expect(await page.getByText('© Acme Cloud Ltd.').count()).toBe(1);
        expect(await visibleWords(page)).not.toMatch(/latchkey/i);
        expect(await cssOf(page, 'header.site', 'background-color')).toBe(
          colorScheme === 'light' ? 'rgb(11, 83, 69)' : 'rgb(8, 58, 48)',
        );
        const pageBg = await cssOf(page, 'html', 'background-color');
        expect(pageBg).toBe(colorScheme === 'light' ? 'rgb(246, 247, 250)' : 'rgb(18, 21, 28)');
        await page.screenshot({
          path: path.join(SCREENSHOTS, `branded-keys-${colorScheme}.png`),
          fullPage: true,
        });
      },
    );

    it('fits a phone screen with the brand', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(`${server.url}/keys`);
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await visibleWords(page)).not.toMatch(/latchkey/i);
      await page.screenshot({
        path: path.join(SCREENSHOTS, 'branded-keys-phone.png'),
        fullPage: true,
      });
    });

    it('keeps the CSP as strict, adding only a logo URL host to img-src', async () => {
      await server.latchkey.updateSettings({
        branding: { logo: { url: 'https://cdn.example.com/acme.png' } },
      });
      const branded = (await fetch(`${server.url}/login`)).headers.get('content-security-policy');
      const before = directives(plainCsp);
      const after = directives(branded);
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      for (const name of Object.keys(before)) {
        if (name === 'script-src') expect(after[name]![0]).toMatch(/^'nonce-/);
        else if (name === 'img-src')
          expect(new Set(after[name])).toEqual(
            new Set([...before[name]!, 'https://cdn.example.com']),
          );
        else expect(after[name]).toEqual(before[name]);
      }
    });

    describe('in the dashboard', () => {
      let admin: Page;
      beforeAll(async () => {
        admin = await browser.context.newPage();
        const link = await server.latchkey.adminSetupLinkIfNone(server.url);
        await admin.goto(link!);
        await admin.getByLabel('Email').fill('ops@example.com');
        await admin.getByLabel('Password').fill('ops admin password');
        await admin.getByRole('button', { name: 'Create admin' }).click();
        await admin.getByRole('heading', { name: 'Settings' }).waitFor();
      });

      it('refuses a primary colour that fails contrast, naming the ratio', async () => {
        await admin.goto(`${server.url}/admin/branding`);
        await admin.getByLabel('Primary colour', { exact: true }).fill('#ffff00');
        await admin.getByRole('button', { name: 'Save branding' }).click();
        await admin
          .getByText(
            'primary colour #ffff00 on white has contrast 1.07:1; at least 4.5:1 is needed',
          )
          .first()
          .waitFor();
        expect(server.latchkey.getSettings().branding.primaryColor).toBe(BRAND.primaryColor);
      });

      it('refuses an SVG logo that carries a script', async () => {
        await admin.goto(`${server.url}/admin/branding`);
        await admin.getByLabel('Image file').setInputFiles({
          name: 'logo.png',
          mimeType: 'image/png',
          buffer: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
          ),
        });
        await admin.getByRole('button', { name: 'Upload image' }).click();
        await admin.getByText('SVG images are not accepted').first().waitFor();
      });

      it('uploads a PNG logo and previews the pages read-only, with sample keys', async () => {
        await admin.goto(`${server.url}/admin/branding`);
        await admin.getByLabel('Image file').setInputFiles({
          name: 'logo.png',
          mimeType: 'image/png',
          buffer: png(64, 32, [122, 31, 162]),
        });
        await admin.getByRole('button', { name: 'Upload image' }).click();
        await admin.getByText('Logo saved.').waitFor();
        await admin.goto(`${server.url}/admin/branding/preview`);
        expect(await admin.title()).toBe('My API keys · Acme Cloud');
        expect(await admin.getByText('Production server').count()).toBe(1);
        expect(await admin.locator('form button:not([disabled])').count()).toBe(0);
        expect(await admin.locator('fieldset.preview[disabled]').count()).toBe(1);
        expect(await visibleWords(admin)).not.toMatch(/latchkey/i);
      });
    });
  });
}
