import express from 'express';
import request from 'supertest';
import { makeLatchkey } from '../support/harness';
import type { LatchkeyOptions } from '../../src/latchkey';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

/** A host app with one protected route, as an embedding product would write it. */
function appOf(latchkey: Lk) {
  const app = express();
  app.get('/protected', latchkey.requireApiKey(), (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

async function setUp(options: LatchkeyOptions = {}) {
  const latchkey = await makeLatchkey(options);
  const user = await latchkey.createUser({ email: `u${Math.random()}@example.com` });
  const other = await latchkey.createUser({ email: `o${Math.random()}@example.com` });
  const org = await latchkey.createOrg({ name: 'Acme' });
  const otherOrg = await latchkey.createOrg({ name: 'Globex' });
  await latchkey.addUserToOrg(org.id, user.id, 'Admin');
  const token = async (input: Parameters<Lk['createApiKey']>[0]) =>
    (await latchkey.createApiKey(input)).apiKeyToken;
  return { latchkey, app: appOf(latchkey), user, other, org, otherOrg, token };
}

const call = (app: express.Express, token: string) =>
  request(app).get('/protected').set('Authorization', `Bearer ${token}`);

function expectRateLimited(res: request.Response, periodSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'rate_limited', message: expect.any(String) });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(periodSeconds);
}

describe('validation rate limits', () => {
  it('are off by default', async () => {
    const { latchkey, app, user, token } = await setUp();
    expect(latchkey.getSettings()).toMatchObject({ userRateLimit: null, orgRateLimit: null });
    const t = await token({ userId: user.id });
    for (let i = 0; i < 20; i++) expect((await call(app, t)).status).toBe(200);
    await latchkey.close();
  });

  it('share one allowance across all personal keys of a user and answer 429 with Retry-After', async () => {
    const { latchkey, app, user, other, token } = await setUp();
    await latchkey.updateSettings({ userRateLimit: { limit: 3, periodSeconds: 60 } });
    const [a, b] = [await token({ userId: user.id }), await token({ userId: user.id })];
    expect((await call(app, a)).status).toBe(200);
    expect((await call(app, b)).status).toBe(200);
    expect((await call(app, a)).status).toBe(200);
    expectRateLimited(await call(app, b), 60);
    expectRateLimited(await call(app, a), 60);
    // Another user's keys have their own allowance.
    expect((await call(app, await token({ userId: other.id }))).status).toBe(200);
    await latchkey.close();
  });

  it('share one allowance across all keys of an org, leaving other orgs and personal keys alone', async () => {
    const { latchkey, app, user, org, otherOrg, token } = await setUp();
    await latchkey.updateSettings({ orgRateLimit: { limit: 2, periodSeconds: 3600 } });
    const a = await token({ orgId: org.id, userId: user.id });
    const b = await token({ orgId: org.id });
    expect((await call(app, a)).status).toBe(200);
    expect((await call(app, b)).status).toBe(200);
    expectRateLimited(await call(app, a), 3600);
    expect((await call(app, await token({ orgId: otherOrg.id }))).status).toBe(200);
    expect((await call(app, await token({ userId: user.id }))).status).toBe(200);
    await latchkey.close();
  });

  it("apply a key's own limit to that key only", async () => {
    const { latchkey, app, user, token } = await setUp();
    const limited = await token({ userId: user.id, rateLimit: { limit: 1, periodSeconds: 10 } });
    const free = await token({ userId: user.id });
    expect((await call(app, limited)).status).toBe(200);
    expectRateLimited(await call(app, limited), 10);
    expect((await call(app, free)).status).toBe(200);
    expect((await call(app, free)).status).toBe(200);
    await latchkey.close();
  });

  it('return a typed rate_limited result from the validate functions', async () => {
    const { latchkey, user } = await setUp();
    const created = await latchkey.createApiKey({
      userId: user.id,
      rateLimit: { limit: 1, periodSeconds: 30 },
    });
    expect((await latchkey.validatePersonalApiKey(created.apiKeyToken)).valid).toBe(true);
    const second = await latchkey.validatePersonalApiKey(created.apiKeyToken);
    expect(second).toMatchObject({ valid: false, reason: 'rate_limited' });
    expect(second.valid === false && second.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await latchkey.close();
  });

  it('count only validations that would otherwise succeed', async () => {
    const { latchkey, user } = await setUp();
    const { apiKeyToken } = await latchkey.createApiKey({
      userId: user.id,
      rateLimit: { limit: 1, periodSeconds: 60 },
    });
    expect(await latchkey.validateOrgApiKey(apiKeyToken)).toMatchObject({ reason: 'wrong_kind' });
    expect((await latchkey.validateApiKey(apiKeyToken)).valid).toBe(true);
    await latchkey.close();
  });

  it('take effect at once when the settings change, even for cached keys', async () => {
    const { latchkey, app, user, token } = await setUp();
    const t = await token({ userId: user.id });
    expect((await call(app, t)).status).toBe(200);
    await latchkey.updateSettings({ userRateLimit: { limit: 1, periodSeconds: 60 } });
    expect((await call(app, t)).status).toBe(200);
    expect((await call(app, t)).status).toBe(429);
    await latchkey.updateSettings({ userRateLimit: null });
    expect((await call(app, t)).status).toBe(200);
    await latchkey.close();
  });

  it("take effect at once when a key's own limit changes", async () => {
    const { latchkey, app, user } = await setUp();
    const created = await latchkey.createApiKey({ userId: user.id });
    expect((await call(app, created.apiKeyToken)).status).toBe(200);
    const updated = await latchkey.updateApiKey(created.apiKeyId, {
      rateLimit: { limit: 1, periodSeconds: 60 },
    });
    expect(updated.rateLimit).toEqual({ limit: 1, periodSeconds: 60 });
    expect((await call(app, created.apiKeyToken)).status).toBe(200);
    expect((await call(app, created.apiKeyToken)).status).toBe(429);
    await latchkey.updateApiKey(created.apiKeyId, { rateLimit: null });
    expect((await call(app, created.apiKeyToken)).status).toBe(200);
    await latchkey.close();
  });

  it('refuse bad allowances naming the field, changing nothing', async () => {
    const { latchkey, user } = await setUp();
    await expect(
      latchkey.updateSettings({ userRateLimit: { limit: 0, periodSeconds: 60 } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { 'userRateLimit.limit': expect.any(Array) },
    });
    await expect(
      latchkey.updateSettings({
        orgRateLimit: { limit: 5, periodSeconds: 3 * 31 * 86400 },
      }),
    ).rejects.toMatchObject({ fields: { 'orgRateLimit.periodSeconds': expect.any(Array) } });
    expect(latchkey.getSettings()).toMatchObject({ userRateLimit: null, orgRateLimit: null });
    await expect(
      latchkey.createApiKey({
        userId: user.id,
        rateLimit: { limit: 1.5, periodSeconds: 60 },
      }),
    ).rejects.toMatchObject({ fields: { 'rateLimit.limit': expect.any(Array) } });
    expect((await latchkey.listApiKeys({ userId: user.id })).total).toBe(0);
    await latchkey.close();
  });
});
