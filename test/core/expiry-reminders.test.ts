import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KeyEventName } from '../../src/core/key-events';
import type { JsonObject } from '../../src/core/types';
import { nowSeconds } from '../../src/core/time';
import type { LatchkeyOptions } from '../../src/latchkey';
import type { SqliteStore } from '../../src/store/sqlite';
import { makeLatchkey, type TestLatchkey } from '../support/harness';
import { startSmtpSink } from '../support/smtp-sink';
import { aWorld } from '../support/world';

const DAY = 86_400;

/** The data of the api_key.expiring events in the webhook outbox. */
const expiringInOutbox = (lk: TestLatchkey): JsonObject[] =>
  (
    (lk.store as SqliteStore).db
      .prepare("SELECT data FROM webhook_events WHERE type = 'api_key.expiring'")
      .all() as { data: string }[]
  ).map((r) => JSON.parse(r.data) as JsonObject);
const PAGES = 'https://keys.example.com/account';

describe('expiry reminders by email', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let dir: string;
  const open: TestLatchkey[] = [];

  beforeEach(async () => {
    smtp = await startSmtpSink();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-reminders-'));
  });
  afterEach(async () => {
    for (const lk of open.splice(0)) await lk.close();
    await smtp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function latchkey(options: LatchkeyOptions = {}): Promise<TestLatchkey> {
    const lk = await makeLatchkey({
      databasePath: path.join(dir, 'latchkey.db'),
      email: {
        smtpUrl: smtp.url,
        from: 'Acme <keys@acme.example>',
        pagesUrl: PAGES,
        reminderIntervalMs: 0,
      },
      ...options,
    });
    open.push(lk);
    return lk;
  }

  it('emails the owner of a personal key once per threshold, in the product name, with the page link', async () => {
    const events: [KeyEventName, JsonObject][] = [];
    const lk = await latchkey({ onKeyEvent: (name, data) => events.push([name, data]) });
    await lk.updateSettings({ branding: { productName: 'Acme Cloud' } });
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({
      userId: user.id,
      displayName: 'CI deploys',
      expiresAt: nowSeconds() + 5 * DAY,
    });
    await lk.createApiKey({ userId: user.id, expiresAt: nowSeconds() + 30 * DAY });

    expect(await lk.sendExpiryReminders()).toBe(1);
    expect(await lk.sendExpiryReminders()).toBe(0);
    const [mail] = await smtp.waitFor(1);
    expect(smtp.received).toHaveLength(1);
    expect(mail!.to).toEqual([user.email]);
    expect(mail!.subject).toContain('Acme Cloud: API key CI deploys expires');
    expect(mail!.body).toContain('Content-Type: text/plain');
    expect(mail!.body).toContain('Content-Type: text/html');
    expect(mail!.body).toContain('The Acme Cloud API key “CI deploys” (lk_…');
    expect(mail!.body).toContain(`${PAGES}/keys`);
    expect(mail!.body).not.toContain(key.apiKeyToken);
    expect(events).toEqual([
      ['api_key.expiring', expect.objectContaining({ keyId: key.apiKeyId, daysBefore: 7 })],
    ]);
    expect(expiringInOutbox(lk)).toEqual([
      expect.objectContaining({ apiKeyId: key.apiKeyId, hint: key.key.hint, actor: 'system' }),
    ]);
  });

  it('claims only the nearest threshold a key is already within', async () => {
    const lk = await latchkey();
    const { user } = await aWorld(lk);
    const now = nowSeconds();
    const key = await lk.createApiKey({ userId: user.id, expiresAt: now + 2 * DAY });
    const late = await lk.createApiKey({ userId: user.id, expiresAt: now + DAY / 2 });
    expect(await lk.sendExpiryReminders()).toBe(2);
    const claim = (keyId: string, days: number, expiresAt: number) =>
      lk.store.claimExpiryReminder(keyId, days, expiresAt, now);
    expect(await claim(key.apiKeyId, 7, now + 2 * DAY)).toBe(false);
    expect(await claim(late.apiKeyId, 1, now + DAY / 2)).toBe(false);
    expect(await claim(late.apiKeyId, 7, now + DAY / 2)).toBe(true);
  });

  it('reminds again when the expiry is moved after a reminder went out', async () => {
    const lk = await latchkey();
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id, expiresAt: nowSeconds() + DAY });
    expect(await lk.sendExpiryReminders()).toBe(1);
    await lk.updateApiKey(key.apiKeyId, { expiresAt: nowSeconds() + DAY / 2 });
    expect(await lk.sendExpiryReminders()).toBe(1);
    expect(await lk.sendExpiryReminders()).toBe(0);
    expect(await smtp.waitFor(2)).toHaveLength(2);
  });

  it('emails an org key to its creator and the members who manage the org keys', async () => {
    const lk = await latchkey();
    const { user: creator, org } = await aWorld(lk);
    const owner = await lk.createUser({ email: 'owner@example.com' });
    const member = await lk.createUser({ email: 'member@example.com' });
    await lk.addUserToOrg(org.id, owner.id, 'Owner');
    await lk.addUserToOrg(org.id, member.id, 'Member');
    await lk.createApiKey({ orgId: org.id, userId: creator.id, expiresAt: nowSeconds() + DAY });
    expect(await lk.sendExpiryReminders()).toBe(1);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to.sort()).toEqual([creator.email, 'owner@example.com'].sort());
    expect(mail!.body).toContain(`${PAGES}/orgs/${org.id}/keys`);
  });

  it('sends each reminder once from two instances on one database, and not again after a restart', async () => {
    const a = await latchkey();
    const b = await latchkey();
    const { user } = await aWorld(a);
    for (let i = 0; i < 5; i++)
      await a.createApiKey({ userId: user.id, expiresAt: nowSeconds() + (i + 1) * DAY });
    const [sentA, sentB] = await Promise.all([a.sendExpiryReminders(), b.sendExpiryReminders()]);
    expect(sentA + sentB).toBe(5);
    await a.close();
    const restarted = await latchkey();
    expect(await restarted.sendExpiryReminders()).toBe(0);
    await smtp.waitFor(5);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received).toHaveLength(5);
  });

  it('sends from the background job while email is configured', async () => {
    const lk = await latchkey({
      email: {
        smtpUrl: smtp.url,
        from: 'keys@acme.example',
        pagesUrl: PAGES,
        reminderIntervalMs: 50,
      },
    });
    const { user } = await aWorld(lk);
    await lk.createApiKey({ userId: user.id, expiresAt: nowSeconds() + DAY });
    expect(await smtp.waitFor(1)).toHaveLength(1);
  });

  it('tries again later when the SMTP server cannot be reached', async () => {
    const lk = await latchkey({
      email: {
        smtpUrl: 'smtp://127.0.0.1:9',
        from: 'keys@acme.example',
        pagesUrl: PAGES,
        reminderIntervalMs: 0,
      },
    });
    const { user } = await aWorld(lk);
    const expiresAt = nowSeconds() + DAY;
    const key = await lk.createApiKey({ userId: user.id, expiresAt });
    expect(await lk.sendExpiryReminders()).toBe(0);
    expect(lk.logs.text).toContain('sending an expiry reminder failed');
    expect(expiringInOutbox(lk)).toEqual([]);
    expect(await lk.store.claimExpiryReminder(key.apiKeyId, 1, expiresAt, 0)).toBe(true);
  });

  it('sends nothing and says so when email is not configured', async () => {
    const lk = await latchkey({ email: undefined });
    const { user } = await aWorld(lk);
    await lk.createApiKey({ userId: user.id, expiresAt: nowSeconds() + DAY });
    expect(lk.emailConfigured).toBe(false);
    expect(await lk.sendExpiryReminders()).toBe(0);
  });

  it('takes the thresholds from the settings, "7, 1" as the form sends them', async () => {
    const lk = await latchkey();
    await lk.updateSettings({ expiryReminderDays: '1, 30, 30' as unknown as number[] });
    expect(lk.getSettings().expiryReminderDays).toEqual([30, 1]);
    await expect(lk.updateSettings({ expiryReminderDays: [0] })).rejects.toThrow(
      'expiryReminderDays',
    );
  });
});
