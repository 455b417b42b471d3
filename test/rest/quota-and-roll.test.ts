import * as wire from '../../src/http/rest/wire-schemas';
import { makeBackend, shaped } from './support';

describe('backend API: quotas and rolling (Latchkey extensions)', () => {
  let t: Awaited<ReturnType<typeof makeBackend>>;
  beforeEach(async () => {
    t = await makeBackend({ cacheTtlMs: 0 });
  });
  afterEach(() => t.latchkey.close());

  it('creates a key with a quota, shows what is left and refuses a spent key with 429', async () => {
    const created = shaped(
      wire.createdApiKey,
      (
        await t.api.post('/end_user_api_keys', {
          remaining_uses: 2,
          refill: { amount: 2, interval: 'day' },
        })
      ).body,
    );
    const validate = () =>
      t.api.post('/end_user_api_keys/validate', { api_key_token: created.api_key_token });
    expect((await validate()).status).toBe(200);
    expect((await validate()).status).toBe(200);
    const refused = await validate();
    expect(refused.status).toBe(429);
    expect(refused.body.error_code).toBe('usage_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const fetched = await t.api.get(`/end_user_api_keys/${created.api_key_id}`);
    expect(shaped(wire.apiKey, fetched.body)).toMatchObject({
      remaining_uses: 0,
      refill: { amount: 2, interval: 'day' },
    });
    expect(fetched.body.next_refill_at_seconds).toBeGreaterThan(Date.now() / 1000);
  });

  it('changes and removes a quota, and names the wire field of a bad value', async () => {
    const { api_key_id } = (await t.api.post('/end_user_api_keys', {})).body;
    expect(
      (await t.api.patch(`/end_user_api_keys/${api_key_id}`, { remaining_uses: 10 })).status,
    ).toBe(200);
    expect((await t.api.get(`/end_user_api_keys/${api_key_id}`)).body.remaining_uses).toBe(10);
    const bad = await t.api.patch(`/end_user_api_keys/${api_key_id}`, { remaining_uses: -1 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toContain('remaining_uses');
    await t.api.patch(`/end_user_api_keys/${api_key_id}`, { remaining_uses: null });
    expect((await t.api.get(`/end_user_api_keys/${api_key_id}`)).body.remaining_uses).toBeNull();
  });

  it('rolls a key: a new token, the old one valid through its grace period', async () => {
    const old = (await t.api.post('/end_user_api_keys', { metadata: { a: 1 } })).body;
    const res = await t.api.post(`/end_user_api_keys/${old.api_key_id}/roll`, {
      expire_old_in_seconds: 3600,
    });
    expect(res.status).toBe(200);
    const rolled = shaped(wire.createdApiKey, res.body);
    expect(rolled.api_key_id).toBe(old.api_key_id);
    expect(rolled.api_key_token).not.toBe(old.api_key_token);
    for (const token of [old.api_key_token, rolled.api_key_token]) {
      const v = await t.api.post('/end_user_api_keys/validate', { api_key_token: token });
      expect(v.status).toBe(200);
      expect(v.body.metadata).toEqual({ a: 1 });
    }
    const fetched = await t.api.get(`/end_user_api_keys/${old.api_key_id}`);
    expect(fetched.body.previous_token_expires_at_seconds).toBeGreaterThan(Date.now() / 1000);
    // Rolling again at once ends the grace period of the token just replaced.
    const again = await t.api.post(`/end_user_api_keys/${old.api_key_id}/roll`, {});
    expect(again.status).toBe(200);
    const v = await t.api.post('/end_user_api_keys/validate', {
      api_key_token: rolled.api_key_token,
    });
    expect(v.status).toBe(400);
    expect(JSON.stringify(v.body)).toContain('expired');
    expect((await t.api.post(`/end_user_api_keys/${'0'.repeat(32)}/roll`, {})).status).toBe(404);
  });
});
