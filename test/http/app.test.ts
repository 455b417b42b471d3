import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { generateToken } from '../../src/core/token';
import { makeApp } from '../support/harness';
import { aWorld } from '../support/world';

type Made = Awaited<ReturnType<typeof makeApp>>;

let made: Made;
beforeEach(async () => {
  made = await makeApp();
});
afterEach(async () => {
  await made.latchkey.close();
});

describe('the standalone app', () => {
  it('answers GET /healthz', async () => {
    const res = await request(made.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('POST /api/whoami answers with the identity of a personal key, in the seed’s shape', async () => {
    const lk = made.latchkey;
    const { user, org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({
      userId: user.id,
      metadata: { howDoISetThis: 'you can set the metadata on API key creation or update' },
    });
    const res = await request(made.app)
      .post('/api/whoami')
      .set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: {
        userId: user.id,
        email: user.email,
        orgIdToOrgInfo: { [org.id]: { orgName: 'Acme Inc' } },
      },
      metadata: { howDoISetThis: 'you can set the metadata on API key creation or update' },
    });
    // The same as validating in-process.
    const direct = await lk.validateApiKey(apiKeyToken);
    if (!direct.valid) throw new Error(direct.reason);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(direct.apiKey)));
  });

  it('POST /api/whoami answers org and generic keys too', async () => {
    const lk = made.latchkey;
    const { org } = await aWorld(lk);
    const orgKey = await lk.createApiKey({ orgId: org.id });
    const generic = await lk.createApiKey({ metadata: { service: 'billing' } });
    const orgRes = await request(made.app)
      .post('/api/whoami')
      .set('Authorization', orgKey.apiKeyToken);
    expect(orgRes.body).toMatchObject({ kind: 'org', org: { orgId: org.id } });
    const genRes = await request(made.app)
      .post('/api/whoami')
      .set('Authorization', generic.apiKeyToken);
    expect(genRes.body).toEqual({
      kind: 'generic',
      apiKeyId: generic.apiKeyId,
      metadata: { service: 'billing' },
    });
  });

  it('README.md shows POST /api/whoami as it is: open to every key kind', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toMatch(/`POST \/api\/whoami`, which takes a key of any kind/);
    // No snippet binds the same path to one kind, which a reader would take for this route.
    expect(readme).not.toMatch(/['"]\/api\/whoami['"],\s*latchkey\.requireApiKey\(\{\s*kind/);
  });

  it('POST /api/whoami without a key is a 401', async () => {
    const res = await request(made.app).post('/api/whoami');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('missing_api_key');
  });

  it('answers unknown routes and methods with 404 JSON', async () => {
    for (const res of [
      await request(made.app).get('/nope'),
      await request(made.app).get('/api/whoami'),
      await request(made.app).delete('/healthz'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: 'not_found', message: expect.any(String) });
    }
  });

  it('answers a browser asking for an unknown page with a 404 HTML page; API clients keep JSON', async () => {
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await request(made.app).get('/no/such/page').set('Accept', browserAccept);
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<h1>Not found</h1>');
    expect(page.text).toContain('/no/such/page');
    for (const accept of ['application/json', '*/*']) {
      const res = await request(made.app).get('/no/such/page').set('Accept', accept);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', message: 'No such route.' });
    }
  });

  it('escapes the path shown on the 404 page', async () => {
    const page = await request(made.app).get('/%3Cscript%3Ex').set('Accept', 'text/html');
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('<script>x');
  });

  it('answers malformed JSON with 400 JSON that does not echo the body', async () => {
    const res = await request(made.app)
      .post('/api/whoami')
      .set('Content-Type', 'application/json')
      .send('{"password": "hunter2",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'bad_request',
      message: 'The request body is not valid JSON.',
    });
    expect(res.text).not.toContain('hunter2');
  });

  it('answers a body over the limit with 413 JSON', async () => {
    const res = await request(made.app)
      .post('/api/whoami')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(200 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', message: expect.any(String) });
  });

  it('answers an unsupported body encoding with a 4xx, not a 500', async () => {
    const res = await request(made.app)
      .post('/api/whoami')
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{}');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('sends helmet’s security headers and no X-Powered-By', async () => {
    const res = await request(made.app).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('logs nothing about refused keys, and never the token', async () => {
    const lk = made.latchkey;
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    await request(made.app).post('/api/whoami').set('Authorization', `Bearer ${apiKeyToken}`);
    await lk.archiveApiKey(apiKeyId);
    const unknown = generateToken('lk');
    const before = lk.logs.lines.length;
    for (const refused of [`${apiKeyToken}x`, unknown, apiKeyToken]) {
      const res = await request(made.app)
        .post('/api/whoami')
        .set('Authorization', `Bearer ${refused}`);
      expect(res.status).toBe(401);
    }
    expect(lk.logs.lines.slice(before)).toEqual([]);
    expect(lk.logs.text).not.toContain(apiKeyToken);
  });
});
