import { startReceiver } from '../webhooks/receiver';
import { post, signedInAdmin } from './support';

describe('admin webhooks pages', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver([500, 200]);
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('adds an endpoint and shows its signing secret on one page load only', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const added = await post(agent, '/admin/webhooks', '/admin/webhooks', {
      url: receiver.url,
      events: ['api_key.created', 'api_key.revoked'],
      enabled: 'on',
    });
    expect(added.status).toBe(303);
    const shown = await agent.get('/admin/webhooks').expect(200);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(shown.text)?.[0];
    expect(secret).toBeDefined();
    expect(shown.headers['cache-control']).toContain('no-store');
    const again = await agent.get('/admin/webhooks').expect(200);
    expect(again.text).not.toContain(secret!);
    expect(again.text).toContain(receiver.url);
    expect(again.text).toContain('api_key.created, api_key.revoked');
    const [endpoint] = await latchkey.webhooks.listEndpoints();
    expect(endpoint).toMatchObject({ url: receiver.url, enabled: true });
    expect(latchkey.logs.text).not.toContain(secret!.slice(6));
    await latchkey.close();
  });

  it('refuses an endpoint with no events chosen, naming the field', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/webhooks', '/admin/webhooks', { url: receiver.url });
    expect(res.status).toBe(400);
    expect(res.text).toContain('choose at least one event');
    expect(await latchkey.webhooks.listEndpoints()).toEqual([]);
    await latchkey.close();
  });

  it('shows the delivery log, resends and sends a test event, and shows why it was disabled', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const { endpoint } = await latchkey.webhooks.addEndpoint({ url: receiver.url });
    const page = `/admin/webhooks/${endpoint.id}`;
    expect((await post(agent, page, `${page}/test`)).status).toBe(303);
    await latchkey.webhooks.deliverNow();
    let log = await agent.get(page).expect(200);
    expect(log.text).toContain('webhook.test');
    expect(log.text).toMatch(/data-label="Response">500/);
    expect(log.text).toMatch(/data-label="Attempts">1</);

    const [delivery] = (await latchkey.webhooks.listDeliveries(endpoint.id)).items;
    const resend = `${page}/deliveries/${encodeURIComponent(delivery!.id)}/resend`;
    expect((await post(agent, page, resend)).status).toBe(303);
    await latchkey.webhooks.deliverNow();
    log = await agent.get(page).expect(200);
    expect(log.text).toMatch(/data-label="Status">delivered/);
    expect(log.text).toMatch(/data-label="Attempts">2</);
    expect(log.text).toMatch(/data-label="Latency">\d+ ms/);

    await latchkey.store.updateEndpoint(endpoint.id, {
      enabled: false,
      disabledReason:
        'Disabled 2026-12-01: every delivery failed for 3 days; last error: HTTP 500.',
    });
    const off = await agent.get(page).expect(200);
    expect(off.text).toContain('every delivery failed for 3 days; last error: HTTP 500.');
    expect((await post(agent, page, `${page}/enabled`, { enabled: 'true' })).status).toBe(303);
    expect(await latchkey.webhooks.fetchEndpoint(endpoint.id)).toMatchObject({
      enabled: true,
      disabledReason: null,
    });

    expect((await post(agent, `${page}/delete`, `${page}/delete`)).status).toBe(303);
    expect(await latchkey.webhooks.listEndpoints()).toEqual([]);
    await latchkey.close();
  });
});
