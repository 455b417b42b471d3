import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { nowSeconds } from '../src/core/time';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { startSmtpSink } from './support/smtp-sink';

describe('the standalone server and email', () => {
  let dir: string;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-server-email-'));
    smtp = await startSmtpSink();
  });
  afterEach(async () => {
    await smtp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the reminder job with SMTP_URL, linking to PUBLIC_URL and PAGES_BASE_PATH', async () => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      BCRYPT_COST: '4',
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Acme <keys@acme.example>',
      PUBLIC_URL: 'https://keys.acme.example/',
      PAGES_BASE_PATH: '/account',
      EXPIRY_REMINDER_INTERVAL_MS: '100',
      METRICS_ENABLED: 'false',
    });
    const running = await startServer(config, createLogger({ level: 'silent' }));
    try {
      expect(running.latchkey.emailConfigured).toBe(true);
      const user = await running.latchkey.createUser({ email: 'ada@example.com' });
      await running.latchkey.createApiKey({ userId: user.id, expiresAt: nowSeconds() + 3_600 });
      const [mail] = await smtp.waitFor(1);
      expect(mail!.to).toEqual(['ada@example.com']);
      expect(mail!.body).toContain('https://keys.acme.example/account/keys');
    } finally {
      await running.stop();
    }
  });

  it('sends nothing without SMTP_URL', async () => {
    const config = loadConfig({
      PORT: '0',
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      METRICS_ENABLED: 'false',
    });
    const running = await startServer(config, createLogger({ level: 'silent' }));
    expect(running.latchkey.emailConfigured).toBe(false);
    await running.stop();
  });
});
