import express from 'express';
import request from 'supertest';
import { nextPeriodStart, periodStart, quotaAt } from '../../src/core/quota';
import { nowSeconds } from '../../src/core/time';
import { makeLatchkey } from '../support/harness';
import { aCountingStore } from '../support/world';

const reasonOf = (v: { valid: boolean; reason?: string }) => (v.valid ? 'valid' : v.reason);

describe('usage quotas', () => {
  it('passes a key as many times as its quota allows, then fails with usage_exceeded', async () => {
    const lk = await makeLatchkey({ quotaLeaseSize: 2 });
    const { apiKeyToken, key } = await lk.createApiKey({ remaining: 5 });
    expect(key).toMatchObject({ remaining: 5, refill: null, nextRefillAt: null });
    const verdicts = [];
    for (let i = 0; i < 7; i++) verdicts.push(reasonOf(await lk.validateApiKey(apiKeyToken)));
    expect(verdicts).toEqual([
      'valid',
      'valid',
      'valid',
      'valid',
      'valid',
      'usage_exceeded',
      'usage_exceeded',
    ]);
    const refused = await lk.validateApiKey(apiKeyToken);
    expect(refused).toMatchObject({ valid: false, reason: 'usage_exceeded' });
    expect(refused.valid === false && refused.retryAfterSeconds).toBeUndefined();
    await lk.close();
  });

  it('says when the next refill comes, and a refill alone starts the key full', async () => {
    const lk = await makeLatchkey();
    const { apiKeyToken, key } = await lk.createApiKey({ refill: { amount: 1, interval: 'day' } });
    const now = nowSeconds();
    expect(key).toMatchObject({ remaining: 1, nextRefillAt: nextPeriodStart('day', now) });
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    const refused = await lk.validateApiKey(apiKeyToken);
    expect(refused).toMatchObject({ valid: false, reason: 'usage_exceeded' });
    if (refused.valid) throw new Error('unreachable');
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(nextPeriodStart('day', now) - now + 1);
    await lk.close();
  });

  it('refills at UTC day and month boundaries', () => {
    const jan31 = Date.UTC(2026, 0, 31, 23, 59, 59) / 1000;
    expect(periodStart('day', jan31)).toBe(Date.UTC(2026, 0, 31) / 1000);
    expect(nextPeriodStart('day', jan31)).toBe(Date.UTC(2026, 1, 1) / 1000);
    expect(periodStart('month', jan31)).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(nextPeriodStart('month', Date.UTC(2026, 11, 5) / 1000)).toBe(
      Date.UTC(2027, 0, 1) / 1000,
    );
    const stored = {
      remaining: 0,
      refill: { amount: 9, interval: 'day' as const },
      refilledAt: periodStart('day', jan31),
    };
    expect(quotaAt(stored, jan31).remaining).toBe(0);
    expect(quotaAt(stored, jan31 + 1).remaining).toBe(9);
  });

  it('writes to the store once per lease, and never for a key without a quota', async () => {
    const counting = aCountingStore();
    const lk = await makeLatchkey({ store: counting.store, quotaLeaseSize: 10 });
    const plain = await lk.createApiKey({});
    const quota = await lk.createApiKey({ remaining: 100 });
    counting.reset();
    for (let i = 0; i < 20; i++) await lk.validateApiKey(plain.apiKeyToken);
    expect(counting.calls.leaseUses ?? 0).toBe(0);
    for (let i = 0; i < 20; i++) await lk.validateApiKey(quota.apiKeyToken);
    expect(counting.calls.leaseUses).toBe(2);
    await lk.close();
    // Closing gives back what was leased and not spent.
    expect(counting.calls.returnUses ?? 0).toBe(0);
  });

  it('gives unspent leased uses back on close', async () => {
    const store = aCountingStore().store;
    const lk = await makeLatchkey({ store, quotaLeaseSize: 10 });
    const { apiKeyToken, apiKeyId } = await lk.createApiKey({ remaining: 100 });
    for (let i = 0; i < 3; i++) await lk.validateApiKey(apiKeyToken);
    expect((await store.findKeyById(apiKeyId))?.remaining).toBe(90);
    const quotas = (lk as unknown as { validator: { quotas: { close(): Promise<void> } } })
      .validator.quotas;
    await quotas.close();
    expect((await store.findKeyById(apiKeyId))?.remaining).toBe(97);
    await lk.close();
  });

  it('takes a route cost, and an update of the quota replaces what this process leased', async () => {
    const lk = await makeLatchkey();
    const { apiKeyToken, apiKeyId } = await lk.createApiKey({ remaining: 12 });
    const app = express();
    app.get('/cheap', lk.requireApiKey(), (_req, res) => res.send('ok'));
    app.get('/dear', lk.requireApiKey({ cost: 5 }), (_req, res) => res.send('ok'));
    const call = (path: string) =>
      request(app).get(path).set('Authorization', `Bearer ${apiKeyToken}`);
    expect((await call('/dear')).status).toBe(200);
    expect((await call('/dear')).status).toBe(200);
    const refused = await call('/dear');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('usage_exceeded');
    expect(refused.headers['retry-after']).toBeUndefined();
    expect((await call('/cheap')).status).toBe(200);
    expect((await call('/cheap')).status).toBe(200);
    expect((await call('/cheap')).status).toBe(429);
    const updated = await lk.updateApiKey(apiKeyId, {
      remaining: 1,
      refill: { amount: 1, interval: 'month' },
    });
    expect(updated).toMatchObject({ remaining: 1, refill: { amount: 1, interval: 'month' } });
    expect((await call('/cheap')).status).toBe(200);
    const monthly = await call('/cheap');
    expect(monthly.status).toBe(429);
    expect(Number(monthly.headers['retry-after'])).toBeGreaterThan(0);
    expect((await lk.updateApiKey(apiKeyId, { remaining: null })).remaining).toBeNull();
    expect((await call('/cheap')).status).toBe(200);
    await lk.close();
  });

  it('answers 503 when the store cannot lease uses, never a pass', async () => {
    const counting = aCountingStore();
    const failing = new Proxy(counting.store, {
      get: (target, prop, receiver) =>
        prop === 'leaseUses'
          ? () => Promise.reject(new Error('database is locked'))
          : Reflect.get(target, prop, receiver),
    });
    const lk = await makeLatchkey({ store: failing });
    const { apiKeyToken } = await lk.createApiKey({ remaining: 5 });
    const app = express();
    app.get('/', lk.requireApiKey(), (_req, res) => res.send('ok'));
    const res = await request(app).get('/').set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(503);
    await lk.close();
  });
});
