import express from 'express';
import request from 'supertest';
import { createLatchkeyClient } from '../../src/client';
import { runningLatchkey } from './support';

describe('remote client: usage quotas', () => {
  let lk: Awaited<ReturnType<typeof runningLatchkey>>;
  beforeAll(async () => {
    lk = await runningLatchkey();
  });
  afterAll(() => lk.stop());

  it('spends a route cost on the server and answers a spent quota with 429 usage_exceeded', async () => {
    const { apiKeyToken } = await lk.latchkey.createApiKey({
      remaining: 7,
      refill: { amount: 7, interval: 'month' },
    });
    // A warm cache: routes without a cost may reuse answers; one with a cost always asks.
    const client = createLatchkeyClient({
      url: lk.url,
      integrationKey: lk.integrationKey,
      cacheTtlMs: 60_000,
    });
    const app = express();
    app.get('/dear', client.requireApiKey({ cost: 3 }), (_req, res) => res.send('ok'));
    const call = () => request(app).get('/dear').set('Authorization', `Bearer ${apiKeyToken}`);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('usage_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Without a cache every validation is the server's (with one, a cached pass spends nothing).
    const uncached = createLatchkeyClient({
      url: lk.url,
      integrationKey: lk.integrationKey,
      cacheTtlMs: 0,
    });
    expect((await uncached.validateApiKey(apiKeyToken)).valid).toBe(true); // the one use left
    const spent = await uncached.validateApiKey(apiKeyToken);
    expect(spent).toMatchObject({ valid: false, reason: 'usage_exceeded' });
    client.close();
    uncached.close();
  });

  it('never reuses a pass of a metered key, even with its cache warm', async () => {
    const { apiKeyToken } = await lk.latchkey.createApiKey({ remaining: 3 });
    const client = createLatchkeyClient({
      url: lk.url,
      integrationKey: lk.integrationKey,
      cacheTtlMs: 60_000,
    });
    const first = await client.validateApiKey(apiKeyToken);
    expect(first).toMatchObject({ valid: true, apiKey: { metered: true } });
    expect((await client.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect((await client.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(await client.validateApiKey(apiKeyToken)).toMatchObject({
      valid: false,
      reason: 'usage_exceeded',
    });
    // A key without a quota is not metered, and its pass is reused as before.
    const plain = await lk.latchkey.createApiKey({});
    const passed = await client.validateApiKey(plain.apiKeyToken);
    expect(passed.valid && passed.apiKey.metered).toBeFalsy();
    client.close();
  });

  it('rolls a key on the server: the new token works, the old one for its grace period', async () => {
    const created = await lk.latchkey.createApiKey({});
    const client = createLatchkeyClient({
      url: lk.url,
      integrationKey: lk.integrationKey,
      cacheTtlMs: 0,
    });
    const rolled = await client.rollApiKey(created.apiKeyId, { expireOldInSeconds: 3600 });
    expect(rolled.apiKeyId).toBe(created.apiKeyId);
    expect(rolled.apiKeyToken).not.toBe(created.apiKeyToken);
    expect((await client.validateApiKey(rolled.apiKeyToken)).valid).toBe(true);
    expect((await client.validateApiKey(created.apiKeyToken)).valid).toBe(true);
    await client.rollApiKey(created.apiKeyId); // no grace: the previous token stops at once
    expect(await client.validateApiKey(rolled.apiKeyToken)).toMatchObject({ valid: false });
    await lk.latchkey.archiveApiKey(created.apiKeyId);
    await expect(client.rollApiKey(created.apiKeyId)).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('archived'),
    });
    await expect(
      client.rollApiKey(created.apiKeyId, { expireOldInSeconds: -1 }),
    ).rejects.toMatchObject({ kind: 'refused' });
    client.close();
  });

  it('refuses a cost that is not a whole number of at least 1', () => {
    const client = createLatchkeyClient({ url: lk.url, integrationKey: lk.integrationKey });
    expect(() => client.requireApiKey({ cost: 0 })).toThrow(/cost/);
    expect(() => client.requireApiKey({ cost: 1.5 })).toThrow(/cost/);
    client.close();
  });
});
