import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Store, WebhookEndpoint } from '../../src/core/store';
import { newEvent } from '../../src/core/events';
import { WebhookWorker, type WebhookWorkerOptions } from '../../src/core/webhooks/delivery-worker';
import { newSigningSecret } from '../../src/core/webhooks/signing';
import { createLogger } from '../../src/logger';
import { createSqliteStore } from '../../src/store/sqlite';
import { LogCapture } from '../support/harness';
import { startReceiver } from './receiver';

const page = { limit: 50, offset: 0 };

describe('webhook delivery', () => {
  let store: Store;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock: number;
  let logs: LogCapture;

  const endpointAt = async (url: string, events = ['*']): Promise<WebhookEndpoint> => {
    const endpoint: WebhookEndpoint = {
      id: `whe_${Math.random().toString(36).slice(2)}`,
      url,
      events,
      enabled: true,
      secret: newSigningSecret(),
      createdAt: clock,
      disabledReason: null,
      failingSince: null,
    };
    await store.insertEndpoint(endpoint);
    return endpoint;
  };

  const worker = (options: Partial<WebhookWorkerOptions> = {}) =>
    new WebhookWorker(store, createLogger({ destination: logs }), {
      allowPrivateNetworks: true,
      timeoutMs: 2000,
      now: () => clock,
      ...options,
    });

  beforeEach(() => {
    store = createSqliteStore(':memory:');
    clock = 1_800_000_000;
    logs = new LogCapture();
  });
  afterEach(async () => {
    await receiver?.close();
    await store.close();
  });

  it('signs each message so a Standard Webhooks library and a plain HMAC both verify it', async () => {
    receiver = await startReceiver([200]);
    const endpoint = await endpointAt(receiver.url);
    const event = newEvent('api_key.created', { apiKeyId: 'k1', hint: 'lk_…abcd' }, clock);
    await store.insertEvents([event]);
    expect(await worker().runOnce()).toBe(1);

    const [{ headers, body }] = receiver.received as [(typeof receiver.received)[0]];
    const plain = {
      'webhook-id': String(headers['webhook-id']),
      'webhook-timestamp': String(headers['webhook-timestamp']),
      'webhook-signature': String(headers['webhook-signature']),
    };
    expect(plain['webhook-id']).toBe(event.id);
    // The library checks the timestamp against its own clock: verify as of the send time.
    jest.useFakeTimers({ now: clock * 1000, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect(new Webhook(endpoint.secret).verify(body, plain)).toEqual({
        type: 'api_key.created',
        timestamp: new Date(clock * 1000).toISOString(),
        data: { apiKeyId: 'k1', hint: 'lk_…abcd' },
      });
      expect(() => new Webhook(newSigningSecret()).verify(body, plain)).toThrow();
    } finally {
      jest.useRealTimers();
    }

    // By the spec: base64 HMAC-SHA256 of "id.timestamp.body" keyed by the secret's base64 bytes.
    const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64');
    const signed = `${plain['webhook-id']}.${plain['webhook-timestamp']}.${body}`;
    const expected = createHmac('sha256', key).update(signed).digest('base64');
    expect(plain['webhook-signature'].split(' ')).toContain(`v1,${expected}`);
    expect(logs.text).not.toContain(endpoint.secret.slice('whsec_'.length));

    const [delivery] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
  });

  it('retries a failing receiver with jittered backoff until it recovers, same webhook-id', async () => {
    receiver = await startReceiver([500, 503, 200]);
    const endpoint = await endpointAt(receiver.url);
    await store.insertEvents([newEvent('api_key.revoked', { apiKeyId: 'k1' }, clock)]);
    const w = worker({ retryDelaysSeconds: [10, 100, 1000] });

    expect(await w.runOnce()).toBe(1);
    let [d] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(d!.nextAttemptAt - clock).toBeGreaterThanOrEqual(8);
    expect(d!.nextAttemptAt - clock).toBeLessThanOrEqual(12);
    expect(await w.runOnce()).toBe(0); // not due yet

    clock = d!.nextAttemptAt;
    expect(await w.runOnce()).toBe(1);
    [d] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 503 });
    expect(d!.nextAttemptAt - clock).toBeGreaterThanOrEqual(80);
    expect(d!.nextAttemptAt - clock).toBeLessThanOrEqual(120);
    expect((await store.findEndpointById(endpoint.id))!.failingSince).not.toBeNull();

    clock = d!.nextAttemptAt;
    expect(await w.runOnce()).toBe(1);
    [d] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect((await store.findEndpointById(endpoint.id))!.failingSince).toBeNull();
  });

  it('gives up when the schedule is spent and disables an endpoint failing for too long', async () => {
    receiver = await startReceiver([500]);
    const endpoint = await endpointAt(receiver.url);
    await store.insertEvents([newEvent('api_key.created', {}, clock)]);
    const w = worker({ retryDelaysSeconds: [10], disableAfterSeconds: 3600 });
    await w.runOnce();
    clock += 20;
    await w.runOnce();
    const [d] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(d).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await store.findEndpointById(endpoint.id))!.enabled).toBe(true);

    clock += 3600;
    await store.insertEvents([newEvent('api_key.updated', {}, clock)]);
    await w.runOnce();
    const off = await store.findEndpointById(endpoint.id);
    expect(off!.enabled).toBe(false);
    expect(off!.disabledReason).toMatch(/every delivery failed for 1 day; last error: HTTP 500/);

    await store.insertEvents([newEvent('api_key.updated', {}, clock)]);
    const before = receiver.received.length;
    await w.runOnce();
    expect(receiver.received.length).toBe(before);
  });

  it('does not follow redirects', async () => {
    receiver = await startReceiver([302]);
    const endpoint = await endpointAt(receiver.url);
    await store.insertEvents([newEvent('api_key.created', {}, clock)]);
    await worker().runOnce();
    const [d] = (await store.listDeliveries(endpoint.id, page)).items;
    expect(d).toMatchObject({ status: 'pending', lastStatusCode: 302 });
    expect(d!.lastError).toMatch(/redirects are not followed/);
    expect(receiver.received).toHaveLength(1);
  });

  it('times out a receiver that does not answer', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const endpoint = await endpointAt(`http://127.0.0.1:${port}/`);
      await store.insertEvents([newEvent('api_key.created', {}, clock)]);
      await worker({ timeoutMs: 300 }).runOnce();
      const [d] = (await store.listDeliveries(endpoint.id, page)).items;
      expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
      expect(d!.lastError).toMatch(/no answer within 300 ms/);
    } finally {
      silent.close();
    }
  });
});
