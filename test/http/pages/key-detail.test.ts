import request from 'supertest';
import { makeApp } from '../../support/harness';
import { aUserWithPassword, shownToken, signedInAgent, submitForm } from '../../support/pages';

async function setup() {
  const { app, latchkey } = await makeApp();
  const user = await aUserWithPassword(latchkey);
  const agent = await signedInAgent(app, user.email);
  return { app, latchkey, user, agent };
}

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

describe('a key’s own page', () => {
  it('shows the quota, the last use, the usage chart and an expiry notice', async () => {
    const { agent, latchkey, user } = await setup();
    const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({
      userId: user.id,
      displayName: 'Nightly job',
      expiresAt: now() + 3 * DAY - 60,
      remaining: 50,
      refill: { amount: 50, interval: 'day' },
    });
    await latchkey.validateApiKey(apiKeyToken);
    const page = await agent.get(`/keys/${apiKeyId}`).expect(200);
    expect(page.text).toContain('Nightly job');
    expect(page.text).toMatch(/Expires in 3 days/);
    expect(page.text).toMatch(/data-remaining>\d+ \(refills to 50 every day/);
    expect(page.text).toContain('<svg');
    expect(page.text).not.toMatch(/<script(?![^>]*nonce)/);
    expect(page.text).not.toMatch(/ style=/);
    const list = await agent.get('/keys').expect(200);
    expect(list.text).toContain(`href="/keys/${apiKeyId}"`);
    expect(list.text).toMatch(/Expires in 3 days/);
  });

  it('follows the admin’s warning window, and 0 turns the notice off', async () => {
    const { agent, latchkey, user } = await setup();
    const { apiKeyId } = await latchkey.createApiKey({
      userId: user.id,
      expiresAt: now() + 10 * DAY,
    });
    expect((await agent.get(`/keys/${apiKeyId}`)).text).not.toContain('data-expiry-notice');
    await latchkey.updateSettings({ expiryWarningDays: 14 });
    expect((await agent.get(`/keys/${apiKeyId}`)).text).toMatch(/Expires in 10 days/);
    await latchkey.updateSettings({ expiryWarningDays: 0 });
    expect((await agent.get('/keys')).text).not.toContain('data-expiry-notice');
  });

  it('renames a key', async () => {
    const { agent, latchkey, user } = await setup();
    const { apiKeyId } = await latchkey.createApiKey({ userId: user.id, displayName: 'Old' });
    const res = await submitForm(agent, `/keys/${apiKeyId}`, `/keys/${apiKeyId}/rename`, {
      displayName: 'New name',
    });
    expect(res.status).toBe(303);
    expect((await latchkey.fetchApiKey(apiKeyId)).displayName).toBe('New name');
  });

  it('rolls a key, shows the new token once and keeps the old one for the grace chosen', async () => {
    const { app, agent, latchkey, user } = await setup();
    const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
    const res = await submitForm(agent, `/keys/${apiKeyId}`, `/keys/${apiKeyId}/roll`, {
      grace: '1h',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/keys/${apiKeyId}`);
    const page = await agent.get(`/keys/${apiKeyId}`).expect(200);
    const token = shownToken(page.text)!;
    expect(token).toMatch(/^lk_/);
    expect(token).not.toBe(apiKeyToken);
    expect(page.text).toContain('the old key keeps working until');
    expect(shownToken((await agent.get(`/keys/${apiKeyId}`)).text)).toBeNull();
    for (const t of [apiKeyToken, token]) {
      await request(app).post('/api/whoami').set('Authorization', `Bearer ${t}`).expect(200);
    }
    const now0 = await submitForm(agent, `/keys/${apiKeyId}`, `/keys/${apiKeyId}/roll`, {
      grace: '0',
    });
    expect(now0.status).toBe(303);
    await request(app).post('/api/whoami').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('shows another user’s key as not found', async () => {
    const { agent, latchkey } = await setup();
    const other = await aUserWithPassword(latchkey, 'other@example.com');
    const { apiKeyId } = await latchkey.createApiKey({ userId: other.id });
    await agent.get(`/keys/${apiKeyId}`).expect(404);
    const res = await agent.post(`/keys/${apiKeyId}/roll`).type('form').send({ grace: '0' });
    expect([403, 404]).toContain(res.status);
  });

  it('creates a key expiring on a chosen date, within the longest expiry offered', async () => {
    const { agent, latchkey } = await setup();
    await latchkey.updateSettings({ expiryChoices: ['2w', '1m'], defaultExpiry: '2w' });
    const day = (offset: number) => new Date((now() + offset) * 1000).toISOString().slice(0, 10);
    const form = (expiresOn: string) =>
      submitForm(agent, '/keys/new', '/keys', {
        displayName: 'Dated',
        expiry: '2w',
        expiresOn,
      });
    const tooLate = await form(day(40 * DAY));
    expect(tooLate.status).toBe(400);
    expect(tooLate.text).toContain('must be no later than');
    expect((await form(day(-DAY))).status).toBe(400);
    expect((await form('soon')).status).toBe(400);
    const ok = await form(day(20 * DAY));
    expect(ok.status).toBe(303);
    const list = await latchkey.listApiKeys({});
    expect(list.keys[0]?.expiresAt).toBe(Date.parse(`${day(20 * DAY)}T00:00:00Z`) / 1000);
  });
});
