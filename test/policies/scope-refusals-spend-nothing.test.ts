import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { createLatchkeyClient } from '../../src/client';
import { closeServer, listen } from '../client/support';
import { makeBackend } from '../rest/support';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

const SCOPES = [{ name: 'projects:read' }, { name: 'projects:write' }];

/** A route needing projects:write, and one needing nothing, behind the given middleware. */
function appWith(needsWrite: RequestHandler, plain: RequestHandler) {
  const app = express();
  app.get('/write', needsWrite, (_req, res) => res.send('ok'));
  app.get('/plain', plain, (_req, res) => res.send('ok'));
  return app;
}

describe('a call refused for its scopes spends nothing', () => {
  let lk: TestLatchkey;
  beforeEach(async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
  });
  afterEach(async () => lk.close());

  it('takes no quota use, rate-limit slot or usage count in requireApiKey', async () => {
    const { apiKeyToken, apiKeyId } = await lk.createApiKey({
      scopes: ['projects:read'],
      remaining: 2,
      rateLimit: { limit: 3, periodSeconds: 3600 },
    });
    const app = appWith(lk.requireApiKey({ scopes: ['projects:write'] }), lk.requireApiKey());
    const call = (path: string) =>
      request(app).get(path).set('Authorization', `Bearer ${apiKeyToken}`);
    for (let i = 0; i < 5; i++) expect((await call('/write')).status).toBe(403);
    expect((await call('/plain')).status).toBe(200);
    expect((await call('/plain')).status).toBe(200);
    const spent = await call('/plain');
    expect(spent.status).toBe(429);
    expect(spent.body.error).toBe('usage_exceeded');
    await lk.flushUsage();
    expect(await lk.fetchApiKeyUsage({ apiKeyId })).toBe(2);
  });

  it('answers the REST validation of a key lacking the caller’s scopes without spending', async () => {
    const backend = await makeBackend({ scopes: SCOPES, cacheTtlMs: 0 });
    const { apiKeyToken } = await backend.latchkey.createApiKey({
      scopes: ['projects:read'],
      remaining: 1,
    });
    const validate = (extra: object) =>
      backend.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken, ...extra });
    for (let i = 0; i < 3; i++) {
      const res = await validate({ required_scopes: ['projects:write'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ scopes: ['projects:read'], metered: true });
    }
    expect((await validate({ required_any_scope: ['projects:read'] })).status).toBe(200);
    expect((await validate({})).status).toBe(429);
    expect((await validate({ required_scopes: ['x'.repeat(101)] })).status).toBe(400);
    await backend.latchkey.close();
  });

  it('keeps the quota of a key the remote client refuses for its scopes', async () => {
    const backend = await makeBackend({ scopes: SCOPES, cacheTtlMs: 0 });
    const { server, url } = await listen(backend.app);
    const { apiKeyToken } = await backend.latchkey.createApiKey({
      scopes: ['projects:read'],
      remaining: 1,
    });
    const client = createLatchkeyClient({ url, integrationKey: backend.integrationKey });
    const app = appWith(
      client.requireApiKey({ scopes: ['projects:write'] }),
      client.requireApiKey(),
    );
    const call = (path: string) =>
      request(app).get(path).set('Authorization', `Bearer ${apiKeyToken}`);
    for (let i = 0; i < 3; i++) expect((await call('/write')).status).toBe(403);
    expect((await call('/plain')).status).toBe(200);
    expect((await call('/plain')).status).toBe(429);
    client.close();
    await closeServer(server);
    await backend.latchkey.close();
  });
});
