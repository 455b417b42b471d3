import { Webhook } from 'standardwebhooks';
import { makeLatchkey, type TestLatchkey } from '../support/harness';
import { startReceiver } from './receiver';

describe('latchkey.webhooks', () => {
  let lk: TestLatchkey;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    lk = await makeLatchkey();
    receiver = await startReceiver([200]);
  });
  afterEach(async () => {
    await receiver.close();
    await lk.close();
  });

  it('adds an endpoint with a secret shown once, and delivers events it subscribes to', async () => {
    const { secret, endpoint } = await lk.webhooks.addEndpoint(
      { url: receiver.url, events: ['api_key.revoked'] },
      { actor: 'admin:a' },
    );
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await lk.webhooks.listEndpoints())).not.toContain(secret);
    expect(endpoint).not.toHaveProperty('secret');

    const key = await lk.createApiKey({});
    await lk.archiveApiKey(key.apiKeyId, { actor: 'admin:a' });
    expect(await lk.webhooks.deliverNow()).toBe(1);
    const [{ body, headers }] = receiver.received as [(typeof receiver.received)[0]];
    const event = new Webhook(secret).verify(body, headers as Record<string, string>);
    expect(event).toMatchObject({
      type: 'api_key.revoked',
      data: { apiKeyId: key.apiKeyId, cause: 'admin' },
    });
    expect(body).not.toContain(key.apiKeyToken);
    expect(lk.logs.text).not.toContain(secret.slice(6));
  });

  it('refuses private addresses unless allowed, and bad input', async () => {
    const closed = await makeLatchkey({ webhookAllowPrivateNetworks: false });
    try {
      await expect(closed.webhooks.addEndpoint({ url: receiver.url })).rejects.toMatchObject({
        code: 'invalid_input',
        fields: { url: [expect.stringMatching(/loopback/)] },
      });
    } finally {
      await closed.close();
    }
    await expect(
      lk.webhooks.addEndpoint({ url: receiver.url, events: ['nope'] }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(lk.webhooks.addEndpoint({ url: 'ftp://x/' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('sends a test event to one endpoint, resends a delivery and re-enables an endpoint', async () => {
    const { endpoint } = await lk.webhooks.addEndpoint({ url: receiver.url });
    const other = await lk.webhooks.addEndpoint({ url: receiver.url });
    await lk.webhooks.sendTestEvent(endpoint.id);
    await lk.webhooks.deliverNow();
    const log = await lk.webhooks.listDeliveries(endpoint.id);
    expect(log.items).toMatchObject([{ eventType: 'webhook.test', status: 'delivered' }]);
    expect((await lk.webhooks.listDeliveries(other.endpoint.id)).total).toBe(0);

    await lk.webhooks.resendDelivery(log.items[0]!.id);
    await lk.webhooks.deliverNow();
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([
      log.items[0]!.eventId,
      log.items[0]!.eventId,
    ]);

    await lk.store.updateEndpoint(endpoint.id, { enabled: false, disabledReason: 'failing' });
    const back = await lk.webhooks.updateEndpoint(endpoint.id, { enabled: true });
    expect(back).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    await lk.webhooks.deleteEndpoint(endpoint.id);
    await expect(lk.webhooks.fetchEndpoint(endpoint.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('the delivery worker createLatchkey runs', () => {
  it('sends events on its own every webhookDeliveryIntervalMs, and stops on close', async () => {
    const receiver = await startReceiver([200]);
    const lk = await makeLatchkey({ webhookDeliveryIntervalMs: 20 });
    try {
      await lk.webhooks.addEndpoint({ url: receiver.url });
      await lk.createApiKey({});
      const until = Date.now() + 5_000;
      while (receiver.received.length === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'api_key.created' });
    } finally {
      await lk.close();
      await receiver.close();
    }
  });
});
