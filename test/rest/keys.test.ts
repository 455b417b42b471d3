import * as wire from '../../src/http/rest/wire-schemas';
import { makeBackend, shaped, SERVING, type Serving } from './support';
import { failValidationReads } from '../support/world';

const future = () => Math.floor(Date.now() / 1000) + 3600;

async function setup(serving: Serving) {
  const backend = await makeBackend({ cacheTtlMs: 0 }, serving);
  const { latchkey: lk } = backend;
  const user = await lk.createUser({ email: 'ada@example.com' });
  const outsider = await lk.createUser({ email: 'outsider@example.com' });
  const org = await lk.createOrg({ name: 'Acme', metadata: { plan: 'pro' } });
  await lk.addUserToOrg(org.id, user.id, 'Admin');
  return { ...backend, user, outsider, org };
}

describe.each(SERVING)('backend API: end-user API keys (%s)', (serving) => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup(serving);
  });
  afterEach(() => t.latchkey.close());

  it('creates a personal key whose token is in the answer only', async () => {
    const res = await t.api.post('/end_user_api_keys', {
      user_id: t.user.id,
      display_name: 'CI',
      metadata: { team: 'ops' },
      expires_at_seconds: future(),
    });
    expect(res.status).toBe(200);
    const created = shaped(wire.createdApiKey, res.body);
    const fetched = await t.api.get(`/end_user_api_keys/${created.api_key_id}`);
    expect(shaped(wire.apiKey, fetched.body)).toMatchObject({
      kind: 'personal',
      user_id: t.user.id,
      org_id: null,
      display_name: 'CI',
      metadata: { team: 'ops' },
    });
    expect(JSON.stringify(fetched.body)).not.toContain(created.api_key_token);
  });

  it('validates a personal key, with or without "Bearer ", returning the user and metadata', async () => {
    const { apiKeyToken, apiKeyId } = await t.latchkey.createApiKey({
      userId: t.user.id,
      metadata: { tier: 1 },
    });
    for (const token of [apiKeyToken, `Bearer ${apiKeyToken}`]) {
      const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: token });
      expect(res.status).toBe(200);
      const v = shaped(wire.apiKeyValidation, res.body);
      expect(v).toMatchObject({ api_key_id: apiKeyId, metadata: { tier: 1 } });
      expect(v.user).toMatchObject({ user_id: t.user.id, email: 'ada@example.com' });
      expect(v.user?.org_id_to_org_info?.[t.org.id]).toMatchObject({
        org_metadata: { plan: 'pro' },
        user_role: 'Admin',
        inherited_user_roles_plus_current_role: ['Admin', 'Member'],
      });
      expect(v.org).toBeUndefined();
    }
  });

  it('validates an org key with the org, the creating member and their membership', async () => {
    const { apiKeyToken } = await t.latchkey.createApiKey({ orgId: t.org.id, userId: t.user.id });
    const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken });
    const v = shaped(wire.apiKeyValidation, res.body);
    expect(v.org).toEqual({
      org_id: t.org.id,
      name: 'Acme',
      url_safe_org_slug: 'acme',
      metadata: { plan: 'pro' },
      is_saml_configured: false,
    });
    expect(v.user?.user_id).toBe(t.user.id);
    expect(v.user_in_org).toMatchObject({ org_id: t.org.id, user_role: 'Admin' });
    expect(v.user?.org_id_to_org_info?.[t.org.id]).toEqual(v.user_in_org);
  });

  it('validates a generic key with its metadata only', async () => {
    const { apiKeyToken } = await t.latchkey.createApiKey({ metadata: { service: 'etl' } });
    const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken });
    const v = shaped(wire.apiKeyValidation, res.body);
    expect(v.metadata).toEqual({ service: 'etl' });
    expect(v.user).toBeUndefined();
    expect(v.org).toBeUndefined();
  });

  it('answers an invalid key with 400 naming api_key_token and the reason', async () => {
    const { apiKeyToken, apiKeyId } = await t.latchkey.createApiKey({});
    await t.latchkey.archiveApiKey(apiKeyId);
    const cases: [string, string][] = [
      ['lk_madeup', 'The API key is malformed.'],
      [apiKeyToken, 'The API key has been revoked.'],
    ];
    for (const [token, message] of cases) {
      const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: token });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ api_key_token: [message] });
    }
  });

  it('answers a rate-limited validation with 429, wait_seconds and Retry-After', async () => {
    jest.spyOn(t.latchkey.validator, 'validateInline').mockReturnValueOnce({
      valid: false,
      reason: 'rate_limited',
      message: 'Too many requests with this API key.',
      retryAfterSeconds: 7,
    });
    const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: 'lk_x' });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(shaped(wire.rateLimitBody, res.body)).toEqual({
      wait_seconds: 7,
      user_facing_error: 'Too many requests with this API key.',
      error_code: 'rate_limit_exceeded',
    });
  });

  it('lists current and archived keys with filters and pages', async () => {
    const personal = await t.latchkey.createApiKey({ userId: t.user.id });
    const org = await t.latchkey.createApiKey({ orgId: t.org.id });
    const gone = await t.latchkey.createApiKey({ userId: t.user.id });
    await t.latchkey.archiveApiKey(gone.apiKeyId);

    const byUser = shaped(
      wire.apiKeyPage,
      (await t.api.get(`/end_user_api_keys?user_id=${t.user.id}`)).body,
    );
    expect(byUser.api_keys.map((k) => k.api_key_id)).toEqual([personal.apiKeyId]);
    const byEmail = shaped(
      wire.apiKeyPage,
      (await t.api.get('/end_user_api_keys?user_email=ada%40example.com')).body,
    );
    expect(byEmail.total_api_keys).toBe(1);
    const byOrg = shaped(
      wire.apiKeyPage,
      (await t.api.get(`/end_user_api_keys?org_id=${t.org.id}`)).body,
    );
    expect(byOrg.api_keys.map((k) => k.api_key_id)).toEqual([org.apiKeyId]);

    const page = shaped(
      wire.apiKeyPage,
      (await t.api.get('/end_user_api_keys?page_size=1&page_number=1')).body,
    );
    expect(page).toMatchObject({
      total_api_keys: 2,
      current_page: 1,
      page_size: 1,
      has_more_results: false,
    });
    expect(page.api_keys).toHaveLength(1);

    const archived = shaped(wire.apiKeyPage, (await t.api.get('/end_user_api_keys/archived')).body);
    expect(archived.api_keys.map((k) => k.api_key_id)).toEqual([gone.apiKeyId]);
    expect(archived.api_keys[0]?.archived_at).not.toBeNull();
  });

  it('updates expiry, metadata and display name, and can set a key to never expire', async () => {
    const { apiKeyId } = await t.latchkey.createApiKey({ userId: t.user.id });
    const expiry = future();
    let res = await t.api.patch(`/end_user_api_keys/${apiKeyId}`, {
      expires_at_seconds: expiry,
      metadata: { v: 2 },
      display_name: 'Renamed',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(await t.latchkey.fetchApiKey(apiKeyId)).toMatchObject({
      expiresAt: expiry,
      metadata: { v: 2 },
      displayName: 'Renamed',
    });
    res = await t.api.patch(`/end_user_api_keys/${apiKeyId}`, { set_to_never_expire: true });
    expect(res.status).toBe(200);
    expect((await t.latchkey.fetchApiKey(apiKeyId)).expiresAt).toBeNull();
  });

  it('accepts update metadata as a JSON string, as PropelAuth types declare it', async () => {
    const { apiKeyId } = await t.latchkey.createApiKey({});
    await t.api.patch(`/end_user_api_keys/${apiKeyId}`, { metadata: '{"a":1}' }).expect(200);
    expect((await t.latchkey.fetchApiKey(apiKeyId)).metadata).toEqual({ a: 1 });
  });

  it('refuses set_to_never_expire together with expires_at_seconds', async () => {
    const { apiKeyId } = await t.latchkey.createApiKey({});
    const res = await t.api.patch(`/end_user_api_keys/${apiKeyId}`, {
      set_to_never_expire: true,
      expires_at_seconds: future(),
    });
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty('set_to_never_expire');
  });

  it('deletes (archives) a key: it stops validating, stays listable, and a second delete is 404', async () => {
    const { apiKeyId, apiKeyToken } = await t.latchkey.createApiKey({ userId: t.user.id });
    expect((await t.api.delete(`/end_user_api_keys/${apiKeyId}`)).status).toBe(200);
    expect(
      (await t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken })).status,
    ).toBe(400);
    expect((await t.api.get(`/end_user_api_keys/${apiKeyId}`)).body.archived_at).not.toBeNull();
    expect((await t.api.delete(`/end_user_api_keys/${apiKeyId}`)).status).toBe(404);
  });

  it('answers 404 for unknown and malformed key ids', async () => {
    for (const id of ['0123456789abcdef0123456789abcdef', 'not-hex', 'ABCDEF']) {
      expect((await t.api.get(`/end_user_api_keys/${id}`)).status).toBe(404);
      expect((await t.api.delete(`/end_user_api_keys/${id}`)).status).toBe(404);
      expect((await t.api.patch(`/end_user_api_keys/${id}`, { metadata: {} })).status).toBe(404);
    }
  });

  it('imports a key by digest and validates it only through validate_imported', async () => {
    const legacy = 'legacy-system-key-123456';
    const res = await t.api.post('/end_user_api_keys/import', {
      imported_api_key: legacy,
      user_id: t.user.id,
      metadata: { from: 'old' },
    });
    expect(res.status).toBe(200);
    const { api_key_id } = shaped(wire.importedApiKey, res.body);
    expect(JSON.stringify(await t.latchkey.store.findKeyById(api_key_id))).not.toContain(legacy);
    const ok = await t.api.post('/end_user_api_keys/validate_imported', { api_key_token: legacy });
    expect(shaped(wire.apiKeyValidation, ok.body)).toMatchObject({
      api_key_id,
      metadata: { from: 'old' },
      user: { user_id: t.user.id },
    });
    expect(
      (await t.api.post('/end_user_api_keys/validate', { api_key_token: legacy })).status,
    ).toBe(400);
  });

  it('imports a key given with "Bearer " so that it validates with or without it', async () => {
    const res = await t.api.post('/end_user_api_keys/import', {
      imported_api_key: 'Bearer legacy-token-123',
    });
    const { api_key_id } = shaped(wire.importedApiKey, res.body);
    for (const token of ['legacy-token-123', 'Bearer legacy-token-123']) {
      const ok = await t.api.post('/end_user_api_keys/validate_imported', { api_key_token: token });
      expect(shaped(wire.apiKeyValidation, ok.body).api_key_id).toBe(api_key_id);
    }
  });

  it('answers 400 naming imported_api_key when nothing is left after "Bearer "', async () => {
    for (const token of ['Bearer ', 'Bearer short']) {
      const res = await t.api.post('/end_user_api_keys/import', { imported_api_key: token });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ imported_api_key: [expect.any(String)] });
    }
    expect((await t.latchkey.listApiKeys()).total).toBe(0);
  });

  it('counts validations per day, overall and per key, user and org', async () => {
    const { apiKeyToken, apiKeyId } = await t.latchkey.createApiKey({ userId: t.user.id });
    await t.latchkey.createApiKey({ orgId: t.org.id });
    for (let i = 0; i < 3; i++) {
      await t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken }).expect(200);
    }
    const today = new Date().toISOString().slice(0, 10);
    const count = async (q: string) =>
      shaped(wire.usageCount, (await t.api.get(`/end_user_api_keys/usage?${q}`)).body).count;
    expect(await count(`date=${today}`)).toBe(3);
    expect(await count(`date=${today}&api_key_id=${apiKeyId}`)).toBe(3);
    expect(await count(`date=${today}&user_id=${t.user.id}`)).toBe(3);
    expect(await count(`date=${today}&org_id=${t.org.id}`)).toBe(0);
    expect(await count('date=2001-01-01')).toBe(0);
    expect(await count('')).toBe(3);
  });

  it('refuses a user_id and org_id that do not belong together, storing nothing', async () => {
    const res = await t.api.post('/end_user_api_keys', {
      user_id: t.outsider.id,
      org_id: t.org.id,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ user_id: ['the user is not a member of this organization'] });
    expect((await t.latchkey.listApiKeys()).total).toBe(0);
  });

  it('answers 400 naming user_id or org_id when they are unknown', async () => {
    const unknown = '00000000-0000-4000-8000-000000000009';
    expect((await t.api.post('/end_user_api_keys', { user_id: unknown })).body).toEqual({
      user_id: ['no user has this id'],
    });
    expect((await t.api.post('/end_user_api_keys', { org_id: unknown })).body).toEqual({
      org_id: ['no organization has this id'],
    });
  });

  it('answers 400 naming expires_at_seconds when it is in the past', async () => {
    const res = await t.api.post('/end_user_api_keys', { expires_at_seconds: 1000 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ expires_at_seconds: ['must be in the future'] });
  });

  it('answers 400 naming expires_at_seconds when it is past the year 9999 (milliseconds by mistake)', async () => {
    const ms = Date.now() + 3_600_000;
    const created = await t.api.post('/end_user_api_keys', { expires_at_seconds: ms });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({
      expires_at_seconds: [expect.stringMatching(/at most 253402300799 .*not milliseconds/)],
    });
    const imported = await t.api.post('/end_user_api_keys/import', {
      imported_api_key: 'legacy-token-123',
      expires_at_seconds: ms,
    });
    expect(imported.status).toBe(400);
    expect(imported.body).toHaveProperty('expires_at_seconds');
    expect((await t.latchkey.listApiKeys()).total).toBe(0);

    const { apiKeyId } = await t.latchkey.createApiKey({});
    const updated = await t.api.patch(`/end_user_api_keys/${apiKeyId}`, { expires_at_seconds: ms });
    expect(updated.status).toBe(400);
    expect(updated.body).toHaveProperty('expires_at_seconds');
    expect((await t.latchkey.fetchApiKey(apiKeyId)).expiresAt).toBeNull();
  });

  it('answers 400 naming the owner when it already has the maximum of active keys', async () => {
    await t.latchkey.updateSettings({ maxKeysPerUser: 1 });
    await t.api.post('/end_user_api_keys', { user_id: t.user.id }).expect(200);
    const res = await t.api.post('/end_user_api_keys', { user_id: t.user.id });
    expect(res.status).toBe(400);
    expect(shaped(wire.fieldErrors, res.body)).toMatchObject({
      error: 'limit_reached',
      user_id: [expect.any(String)],
    });
  });

  it('answers an unexpected failure with a JSON 500 and logs it without the token', async () => {
    const { apiKeyToken } = await t.latchkey.createApiKey({});
    failValidationReads(t.latchkey.store, new Error('database is locked'));
    const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal', message: expect.any(String) });
    expect(t.latchkey.logs.text).toContain('database is locked');
    expect(t.latchkey.logs.text).not.toContain(apiKeyToken);
    expect(t.latchkey.logs.text).not.toContain(t.integrationKey);
  });

  it('answers a JSON 500 when validation throws before any store read', async () => {
    jest.spyOn(t.latchkey.validator, 'validateInline').mockImplementationOnce(() => {
      throw new Error('cache corrupted');
    });
    const res = await t.api.post('/end_user_api_keys/validate', { api_key_token: 'lk_x' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal', message: expect.any(String) });
  });
});
