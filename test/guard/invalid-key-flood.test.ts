import express from 'express';
import request from 'supertest';
import { generateToken } from '../../src/core/token';
import { failure } from '../../src/core/validation-result';
import { InvalidKeyGuard } from '../../src/middleware/invalid-key-guard';
import { makeLatchkey } from '../support/harness';
import { spyOnValidationReads } from '../support/world';

/** A host app that trusts X-Forwarded-For, so one test can speak from many addresses. */
async function setUp(invalidKeyLimitPerMinute?: number) {
  const latchkey = await makeLatchkey({ invalidKeyLimitPerMinute });
  const app = express();
  app.set('trust proxy', true);
  app.get('/protected', latchkey.requireApiKey({ kind: 'personal' }), (_req, res) => {
    res.json({ ok: true });
  });
  const user = await latchkey.createUser({ email: 'flood@example.com' });
  const { apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
  const storeReads = spyOnValidationReads(latchkey.store);
  const from = (ip: string, token: string) =>
    request(app).get('/protected').set('X-Forwarded-For', ip).set('Authorization', token);
  return { latchkey, valid: apiKeyToken, storeReads, from };
}

/** Well-formed tokens (right checksum) that no key has: each one costs a store read. */
const unknownToken = () => `Bearer ${generateToken('lk')}`;

describe('invalid key flood protection', () => {
  it('refuses an IP with 429 and Retry-After once it passes the limit, with store reads bounded', async () => {
    const { latchkey, valid, storeReads, from } = await setUp(4);
    for (let i = 0; i < 4; i++)
      expect((await from('203.0.113.9', unknownToken())).status).toBe(401);
    expect(storeReads.count()).toBe(4);

    const refused = await from('203.0.113.9', unknownToken());
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // A good key from the flooding address still passes (another client behind the same
    // address); each of these well-formed keys costs one read from a small per-second budget.
    expect((await from('203.0.113.9', `Bearer ${valid}`)).status).toBe(200);
    expect(storeReads.count()).toBe(6);
    // A malformed token from a refused address never reaches the store.
    expect((await from('203.0.113.9', 'Bearer lk_nope')).status).toBe(429);
    expect(storeReads.count()).toBe(6);
    await latchkey.close();
  });

  it('lets through a held-back address a key this process already knows to be valid', async () => {
    const { latchkey, valid, storeReads, from } = await setUp(3);
    // Another client behind the same address validated this key a moment ago.
    expect((await from('203.0.113.50', `Bearer ${valid}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) await from('203.0.113.50', unknownToken());
    expect((await from('203.0.113.50', unknownToken())).status).toBe(429);
    const readsBefore = storeReads.count();
    const known = await from('203.0.113.50', `Bearer ${valid}`);
    expect(known.status).toBe(200);
    expect(known.body).toEqual({ ok: true });
    expect(storeReads.count()).toBe(readsBefore);
    // An unknown well-formed key costs one read from the address's budget, then is refused.
    expect((await from('203.0.113.50', unknownToken())).status).toBe(429);
    expect(storeReads.count()).toBe(readsBefore + 1);
    // Revoked: no longer known to be valid, so held back like any other key.
    const { keys } = await latchkey.listApiKeys({});
    await latchkey.archiveApiKey(keys[0]!.id);
    expect((await from('203.0.113.50', `Bearer ${valid}`)).status).toBe(429);
    await latchkey.close();
  });

  it('checks a valid key of such an address in the store when the validation cache is off', async () => {
    const latchkey = await makeLatchkey({ invalidKeyLimitPerMinute: 2, cacheTtlMs: 0 });
    const app = express();
    app.set('trust proxy', true);
    app.get('/protected', latchkey.requireApiKey(), (_req, res) => res.json({ ok: true }));
    const { apiKeyToken } = await latchkey.createApiKey({});
    const from = (token: string) =>
      request(app)
        .get('/protected')
        .set('X-Forwarded-For', '203.0.113.60')
        .set('Authorization', token);
    expect((await from(`Bearer ${apiKeyToken}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) await from(unknownToken());
    expect((await from(unknownToken())).status).toBe(429);
    expect((await from(`Bearer ${apiKeyToken}`)).status).toBe(200);
    await latchkey.close();
  });

  it('leaves valid traffic from other IPs unaffected', async () => {
    const { latchkey, valid, from } = await setUp(3);
    for (let i = 0; i < 5; i++) await from('198.51.100.1', unknownToken());
    expect((await from('198.51.100.1', unknownToken())).status).toBe(429);
    for (let i = 0; i < 10; i++) expect((await from('198.51.100.2', valid)).status).toBe(200);
    // A different address with bad keys gets its own count.
    expect((await from('198.51.100.3', unknownToken())).status).toBe(401);
    await latchkey.close();
  });

  it('counts malformed tokens too, but not valid keys of the wrong kind', async () => {
    const { latchkey, from } = await setUp(2);
    const org = await latchkey.createOrg({ name: 'Wrong kind' });
    const orgToken = (await latchkey.createApiKey({ orgId: org.id })).apiKeyToken;
    for (let i = 0; i < 5; i++) expect((await from('192.0.2.7', orgToken)).status).toBe(403);
    expect((await from('192.0.2.7', 'not-a-token')).status).toBe(401);
    expect((await from('192.0.2.7', 'Bearer lk_nope')).status).toBe(401);
    expect((await from('192.0.2.7', 'not-a-token')).status).toBe(429);
    await latchkey.close();
  });

  it('is on by default with 60 failures per minute', async () => {
    const { latchkey, from } = await setUp(undefined);
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => from('192.0.2.60', unknownToken())),
    );
    expect(burst.every((r) => r.status === 401)).toBe(true);
    expect((await from('192.0.2.60', unknownToken())).status).toBe(429);
    await latchkey.close();
  });

  it('can be turned off', async () => {
    const { latchkey, from } = await setUp(0);
    for (let i = 0; i < 70; i++) await from('192.0.2.61', 'bad');
    expect((await from('192.0.2.61', 'bad')).status).toBe(401);
    await latchkey.close();
  });

  it('slows failures past the slow-down point before refusing', async () => {
    const guard = new InvalidKeyGuard({ failuresPerMinute: 10, slowAfter: 2, delayStepMs: 300 });
    const fail = async () => failure('not_found');
    const timed = async () => {
      const start = performance.now();
      await guard.check('192.0.2.1', fail);
      return performance.now() - start;
    };
    expect(await timed()).toBeLessThan(250);
    expect(await timed()).toBeLessThan(250);
    expect(await timed()).toBeGreaterThanOrEqual(290);
    expect(await timed()).toBeGreaterThanOrEqual(590);
    // Other addresses are not slowed.
    const start = performance.now();
    await guard.check('192.0.2.2', fail);
    expect(performance.now() - start).toBeLessThan(250);
  });
});
