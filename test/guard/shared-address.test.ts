import express from 'express';
import request from 'supertest';
import { generateToken } from '../../src/core/token';
import { makeLatchkey } from '../support/harness';
import { spyOnValidationReads } from '../support/world';

const SHARED = '198.51.100.40';

/** Clients behind one address (a NAT, an office): one of them guesses, the others work. */
async function setUp() {
  const latchkey = await makeLatchkey({ invalidKeyLimitPerMinute: 4 });
  const app = express();
  app.set('trust proxy', true);
  app.get('/protected', latchkey.requireApiKey({ kind: 'personal' }), (_req, res) => {
    res.json({ ok: true });
  });
  const user = await latchkey.createUser({ email: 'shared@example.com' });
  const from = (token: string) =>
    request(app).get('/protected').set('X-Forwarded-For', SHARED).set('Authorization', token);
  for (let i = 0; i < 4; i++) await from(`Bearer ${generateToken('lk')}`);
  expect((await from(`Bearer ${generateToken('lk')}`)).status).toBe(429);
  const storeReads = spyOnValidationReads(latchkey.store);
  return { latchkey, user, from, storeReads };
}

describe('a held-back address shared with valid clients', () => {
  it('lets through a valid key this process has not seen lately', async () => {
    const { latchkey, user, from } = await setUp();
    const { apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
    const res = await from(`Bearer ${apiKeyToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    // A revoked key is a key that fails: refused like the guessing.
    const revoked = await latchkey.createApiKey({ userId: user.id });
    await latchkey.archiveApiKey(revoked.apiKeyId);
    expect((await from(`Bearer ${revoked.apiKeyToken}`)).status).toBe(429);
    await latchkey.close();
  });

  it('spends at most 5 store reads a second on it, however many keys it sends', async () => {
    const { latchkey, user, from, storeReads } = await setUp();
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => from(`Bearer ${generateToken('lk')}`)),
    );
    expect(burst.every((r) => r.status === 429)).toBe(true);
    expect(storeReads.count()).toBeLessThanOrEqual(10); // the burst may straddle a second
    // The budget is per second: the next second's first valid key passes.
    const { apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await from(`Bearer ${apiKeyToken}`)).status).toBe(200);
    // Malformed tokens never cost a read.
    const before = storeReads.count();
    for (let i = 0; i < 10; i++) expect((await from('Bearer lk_nope')).status).toBe(429);
    expect(storeReads.count()).toBe(before);
    await latchkey.close();
  });
});
