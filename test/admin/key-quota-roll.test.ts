import { shownToken } from '../support/pages';
import { post, signedInAdmin, whoami } from './support';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

describe('admin key page: quota, usage, expiry notice and rolling', () => {
  it('sets, shows and removes a quota', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const { apiKeyId } = await latchkey.createApiKey({ displayName: 'metered' });
    const path = `/admin/keys/${apiKeyId}`;
    expect((await agent.get(path)).text).toMatch(/data-remaining>No quota/);
    const saved = await post(agent, path, `${path}/quota`, {
      remaining: '500',
      refillAmount: '1000',
      refillInterval: 'month',
    });
    expect(saved.status).toBe(303);
    expect(await latchkey.fetchApiKey(apiKeyId)).toMatchObject({
      remaining: 500,
      refill: { amount: 1000, interval: 'month' },
    });
    expect((await agent.get(path)).text).toMatch(
      /data-remaining>500 \(refills to 1000 every month/,
    );
    const bad = await post(agent, path, `${path}/quota`, { remaining: 'lots' });
    expect(bad.status).toBe(400);
    await post(agent, path, `${path}/quota`, { remaining: '', refillAmount: '' });
    expect((await latchkey.fetchApiKey(apiKeyId)).remaining).toBeNull();
  });

  it('shows the usage chart and an expiry notice within the warning window', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const { apiKeyId } = await latchkey.createApiKey({ expiresAt: now() + 2 * DAY - 60 });
    const page = await agent.get(`/admin/keys/${apiKeyId}`).expect(200);
    expect(page.text).toContain('<svg');
    expect(page.text).toMatch(/Expires in 2 days/);
  });

  it('rolls a key, showing the new token once', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({});
    const path = `/admin/keys/${apiKeyId}`;
    const res = await post(agent, path, `${path}/roll`, { grace: '7d' });
    expect(res.status).toBe(303);
    const page = await agent.get(path).expect(200);
    const token = shownToken(page.text)!;
    expect(token).toMatch(/^lk_/);
    expect(shownToken((await agent.get(path)).text)).toBeNull();
    expect((await whoami(app, token)).status).toBe(200);
    expect((await whoami(app, apiKeyToken)).status).toBe(200);
    const events = await latchkey.listAuditEvents({ action: 'key.rolled' });
    expect(events.items[0]?.actor).toMatch(/^admin:/);
  });
});
