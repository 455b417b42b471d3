import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

const SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
  { name: 'reports:read', description: 'Read reports' },
];

function appFor(lk: TestLatchkey) {
  const app = express();
  app.set('trust proxy', 'loopback');
  const echo = (req: Request, res: Response) => res.json({ scopes: req.apiKey?.scopes ?? null });
  app.get('/plain', lk.requireApiKey(), echo);
  app.get('/write', lk.requireApiKey({ scopes: ['projects:read', 'projects:write'] }), echo);
  app.get('/any', lk.requireApiKey({ anyScope: ['projects:write', 'reports:read'] }), echo);
  app.get('/optional-write', lk.optionalApiKey({ scopes: ['projects:write'] }), echo);
  return app;
}

describe('requireApiKey with scopes and IP allowlists', () => {
  let lk: TestLatchkey;
  let app: express.Express;
  beforeEach(async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    app = appFor(lk);
  });
  afterEach(async () => lk.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('lets a key holding every required scope through, with its scopes on req.apiKey', async () => {
    const { apiKeyToken } = await lk.createApiKey({ scopes: ['projects:read', 'projects:write'] });
    const res = await request(app).get('/write').set(bearer(apiKeyToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ scopes: ['projects:read', 'projects:write'] });
  });

  it('answers 403 insufficient_scope naming the missing scopes (RFC 6750)', async () => {
    const { apiKeyToken } = await lk.createApiKey({ scopes: ['projects:read'] });
    const res = await request(app).get('/write').set(bearer(apiKeyToken));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="latchkey", error="insufficient_scope", scope="projects:write"',
    );
    expect(res.body).toEqual({
      error: 'insufficient_scope',
      message: 'The API key lacks the scope this needs: projects:write.',
      scopes: ['projects:write'],
    });
    // The plain route does not care.
    expect((await request(app).get('/plain').set(bearer(apiKeyToken))).status).toBe(200);
  });

  it('anyScope needs one of the scopes, and names them all when none is held', async () => {
    const reports = await lk.createApiKey({ scopes: ['reports:read'] });
    expect((await request(app).get('/any').set(bearer(reports.apiKeyToken))).status).toBe(200);
    const none = await lk.createApiKey({ scopes: [] });
    const res = await request(app).get('/any').set(bearer(none.apiKeyToken));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('scope="projects:write reports:read"');
  });

  it('optionalApiKey checks scopes only when a key is sent', async () => {
    expect((await request(app).get('/optional-write')).status).toBe(200);
    const { apiKeyToken } = await lk.createApiKey({ scopes: ['projects:read'] });
    expect((await request(app).get('/optional-write').set(bearer(apiKeyToken))).status).toBe(403);
  });

  it('refuses a key from an address outside its allowlist with 401, using req.ip', async () => {
    const { apiKeyToken } = await lk.createApiKey({ allowedIps: ['203.0.113.0/24'] });
    const from = (ip: string) =>
      request(app).get('/plain').set(bearer(apiKeyToken)).set('X-Forwarded-For', ip);
    expect((await from('203.0.113.50')).status).toBe(200);
    const refused = await from('198.51.100.7');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      error: 'invalid_api_key',
      message: 'The API key is not valid.',
    });
    // Without the forwarded header the client is 127.0.0.1: not listed.
    expect((await request(app).get('/plain').set(bearer(apiKeyToken))).status).toBe(401);
  });
});
