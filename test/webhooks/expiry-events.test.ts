import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { EXPIRY_BATCH } from '../../src/core/expiry-reminders';
import { EXPIRED_LOOKBACK_SECONDS } from '../../src/core/key-expiry';
import type { KeyEventName } from '../../src/core/key-events';
import { nowSeconds } from '../../src/core/time';
import type { JsonObject } from '../../src/core/types';
import { loadConfig } from '../../src/config';
import type { LatchkeyOptions } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { startServer } from '../../src/server';
import { aKey } from '../support/fixtures';
import { makeLatchkey, type TestLatchkey } from '../support/harness';
import { startReceiver } from './receiver';

const DAY = 86_400;

/** The bodies the receiver got, parsed, of one event type. */
const bodiesOf = (receiver: Awaited<ReturnType<typeof startReceiver>>, type: string) =>
  receiver.received
    .map((r) => JSON.parse(r.body) as { type: string; data: JsonObject })
    .filter((b) => b.type === type);

async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('api_key.expired and api_key.expiring without email', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const open: TestLatchkey[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-expiry-events-'));
    receiver = await startReceiver([200]);
  });
  afterEach(async () => {
    for (const lk of open.splice(0)) await lk.close();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function latchkey(options: LatchkeyOptions = {}): Promise<TestLatchkey> {
    const lk = await makeLatchkey({ databasePath: path.join(dir, 'latchkey.db'), ...options });
    open.push(lk);
    return lk;
  }

  /** Moves a key's expiry to `at`, in the past too (the API refuses that; time passing does not). */
  const expireAt = (lk: TestLatchkey, keyId: string, at: number) =>
    lk.store.updateKey(keyId, { expiresAt: at });

  it('delivers one signed api_key.expired per key, never a second on later passes', async () => {
    const lk = await latchkey();
    expect(lk.emailConfigured).toBe(false);
    const { secret } = await lk.webhooks.addEndpoint({
      url: receiver.url,
      events: ['api_key.expired'],
    });
    const user = await lk.createUser({ email: 'ada@example.com' });
    const key = await lk.createApiKey({ userId: user.id, displayName: 'CI deploys' });
    const expiredAt = nowSeconds() - 60;
    await expireAt(lk, key.apiKeyId, expiredAt);

    expect(await lk.runExpiryPass()).toEqual({ emailed: 0, expiring: 0, expired: 1 });
    expect(await lk.runExpiryPass()).toEqual({ emailed: 0, expiring: 0, expired: 0 });
    await lk.webhooks.deliverNow();
    expect(await lk.runExpiryPass()).toMatchObject({ expired: 0 });
    await lk.webhooks.deliverNow();

    expect(receiver.received).toHaveLength(1);
    const [{ body, headers }] = receiver.received as [(typeof receiver.received)[0]];
    const event = new Webhook(secret).verify(body, headers as Record<string, string>);
    expect(event).toMatchObject({
      type: 'api_key.expired',
      data: {
        apiKeyId: key.apiKeyId,
        kind: 'personal',
        userId: user.id,
        orgId: null,
        hint: key.key.hint,
        displayName: 'CI deploys',
        expiresAt: expiredAt,
        actor: 'system',
      },
    });
    expect(body).not.toContain(key.apiKeyToken);
  });

  it('sends api_key.expiring once per threshold without SMTP, as the reminder thresholds say', async () => {
    const lk = await latchkey();
    await lk.webhooks.addEndpoint({ url: receiver.url, events: ['api_key.expiring'] });
    const key = await lk.createApiKey({ expiresAt: nowSeconds() + 3 * DAY });
    await lk.createApiKey({ expiresAt: nowSeconds() + 30 * DAY });
    expect(await lk.runExpiryPass()).toEqual({ emailed: 0, expiring: 1, expired: 0 });
    expect(await lk.runExpiryPass()).toEqual({ emailed: 0, expiring: 0, expired: 0 });
    expect(await lk.sendExpiryReminders()).toBe(0);
    await lk.webhooks.deliverNow();
    expect(bodiesOf(receiver, 'api_key.expiring').map((b) => b.data)).toEqual([
      expect.objectContaining({
        apiKeyId: key.apiKeyId,
        kind: 'generic',
        hint: key.key.hint,
        daysBefore: 7,
        actor: 'system',
      }),
    ]);
  });

  it(`looks back ${EXPIRED_LOOKBACK_SECONDS / DAY} days, and skips archived keys`, async () => {
    const lk = await latchkey();
    const now = nowSeconds();
    const [recent, old, archived, never] = await Promise.all(
      [1, 2, 3, 4].map(() => lk.createApiKey({ expiresAt: now + DAY * 30 })),
    );
    await expireAt(lk, recent!.apiKeyId, now - EXPIRED_LOOKBACK_SECONDS + 60);
    await expireAt(lk, old!.apiKeyId, now - EXPIRED_LOOKBACK_SECONDS - 60);
    await expireAt(lk, archived!.apiKeyId, now - 60);
    await lk.archiveApiKey(archived!.apiKeyId);
    await expireAt(lk, never!.apiKeyId, now + 60 * DAY);
    const heard: [KeyEventName, JsonObject][] = [];
    const other = await latchkey({ onKeyEvent: (name, data) => heard.push([name, data]) });
    expect(await other.runExpiryPass()).toMatchObject({ expired: 1 });
    expect(heard).toEqual([
      ['api_key.expired', expect.objectContaining({ keyId: recent!.apiKeyId })],
    ]);
  });

  it('raises it again when a key given a new expiry expires again', async () => {
    const lk = await latchkey();
    const key = await lk.createApiKey({ expiresAt: nowSeconds() + DAY * 30 });
    await expireAt(lk, key.apiKeyId, nowSeconds() - 120);
    expect(await lk.runExpiryPass()).toMatchObject({ expired: 1 });
    await expireAt(lk, key.apiKeyId, nowSeconds() - 60);
    expect(await lk.runExpiryPass()).toMatchObject({ expired: 1 });
    expect(await lk.runExpiryPass()).toMatchObject({ expired: 0 });
  });

  it('raises each once from two instances on one database at once, and not after a restart', async () => {
    const a = await latchkey();
    const b = await latchkey();
    const now = nowSeconds();
    const keys = await Promise.all(
      Array.from({ length: 10 }, () => a.createApiKey({ expiresAt: now + 30 * DAY })),
    );
    for (const [i, k] of keys.entries()) await expireAt(a, k.apiKeyId, now - 60 - i);
    const [passA, passB] = await Promise.all([a.runExpiryPass(), b.runExpiryPass()]);
    expect(passA.expired + passB.expired).toBe(10);
    await a.close();
    const restarted = await latchkey();
    expect(await restarted.runExpiryPass()).toMatchObject({ expired: 0 });
    // The events wait in the outbox: the first fan-out sends them to the endpoints there are.
    await restarted.webhooks.addEndpoint({ url: receiver.url, events: ['api_key.expired'] });
    await restarted.webhooks.deliverNow();
    const ids = bodiesOf(receiver, 'api_key.expired').map((e) => e.data.apiKeyId);
    expect(ids.sort()).toEqual(keys.map((k) => k.apiKeyId).sort());
  });

  it('reaches every key when more than a batch share one expiry', async () => {
    const lk = await latchkey();
    const at = nowSeconds() - 60;
    for (let i = 0; i < EXPIRY_BATCH + 3; i++)
      await lk.store.insertKey(aKey({ expiresAt: at }).key, 0, at - 60);
    expect(await lk.runExpiryPass()).toMatchObject({ expired: EXPIRY_BATCH + 3 });
    expect(await lk.runExpiryPass()).toMatchObject({ expired: 0 });
  });

  it('runs in the background with no email, and the worker delivers the event once', async () => {
    const lk = await latchkey({ expiryIntervalMs: 50, webhookDeliveryIntervalMs: 20 });
    await lk.webhooks.addEndpoint({ url: receiver.url, events: ['api_key.expired'] });
    const key = await lk.createApiKey({ expiresAt: nowSeconds() + 1 });
    await until(() => receiver.received.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(bodiesOf(receiver, 'api_key.expired').map((b) => b.data.apiKeyId)).toEqual([
      key.apiKeyId,
    ]);
  });
});

describe('the standalone server without SMTP_URL', () => {
  it('runs the expiry job and delivers api_key.expired to a webhook on 127.0.0.1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-server-expiry-'));
    const receiver = await startReceiver([200]);
    const config = loadConfig({
      PORT: '0',
      DATABASE_PATH: path.join(dir, 'db.sqlite'),
      BCRYPT_COST: '4',
      METRICS_ENABLED: 'false',
      EXPIRY_REMINDER_INTERVAL_MS: '100',
      WEBHOOK_DELIVERY_INTERVAL_MS: '50',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    const running = await startServer(config, createLogger({ level: 'silent' }));
    try {
      const { latchkey } = running;
      expect(latchkey.emailConfigured).toBe(false);
      await latchkey.webhooks.addEndpoint({ url: receiver.url, events: ['api_key.expired'] });
      const key = await latchkey.createApiKey({ expiresAt: nowSeconds() + 1 });
      await until(() => receiver.received.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(bodiesOf(receiver, 'api_key.expired').map((b) => b.data.apiKeyId)).toEqual([
        key.apiKeyId,
      ]);
    } finally {
      await running.stop();
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
