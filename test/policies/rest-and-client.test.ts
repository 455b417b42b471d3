import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { createLatchkeyClient } from '../../src/client';
import * as wire from '../../src/http/rest/wire-schemas';
import { closeServer, listen } from '../client/support';
import { makeBackend, shaped } from '../rest/support';

const SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
];

describe('scopes and IP allowlists over the REST API and the remote client', () => {
  let backend: Awaited<ReturnType<typeof makeBackend>>;
  beforeEach(async () => {
    backend = await makeBackend({ scopes: SCOPES, cacheTtlMs: 0 });
  });
  afterEach(async () => backend.latchkey.close());

  it('creates, fetches and updates a key with scopes and allowed_ips', async () => {
    const { api } = backend;
    const created = await api.post('/end_user_api_keys', {
      scopes: ['projects:read'],
      allowed_ips: ['10.1.2.3/8', '2001:db8::1'],
    });
    expect(created.status).toBe(200);
    const { api_key_id } = shaped(wire.createdApiKey, created.body);
    const fetched = shaped(wire.apiKey, (await api.get(`/end_user_api_keys/${api_key_id}`)).body);
    expect(fetched).toMatchObject({
      scopes: ['projects:read'],
      allowed_ips: ['10.0.0.0/8', '2001:db8::1'],
    });
    const patched = await api.patch(`/end_user_api_keys/${api_key_id}`, {
      scopes: ['projects:write'],
      allowed_ips: null,
    });
    expect(patched.status).toBe(200);
    expect((await api.get(`/end_user_api_keys/${api_key_id}`)).body).toMatchObject({
      scopes: ['projects:write'],
      allowed_ips: null,
    });
  });

  it('refuses unknown scopes and bad addresses naming the wire fields', async () => {
    const { api } = backend;
    const bad = await api.post('/end_user_api_keys', { scopes: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.scopes).toEqual(['"nope" is not a scope of this product']);
    const badIp = await api.post('/end_user_api_keys', { allowed_ips: ['not-an-ip'] });
    expect(badIp.status).toBe(400);
    expect(badIp.body.allowed_ips).toEqual(['"not-an-ip" is not an IP address or CIDR range']);
  });

  it('validates with client_ip and answers the scopes', async () => {
    const { api, latchkey } = backend;
    const { apiKeyToken } = await latchkey.createApiKey({
      scopes: ['projects:read'],
      allowedIps: ['192.0.2.0/24'],
    });
    const ok = await api.post('/end_user_api_keys/validate', {
      api_key_token: apiKeyToken,
      client_ip: '192.0.2.10',
    });
    expect(ok.status).toBe(200);
    expect(shaped(wire.apiKeyValidation, ok.body).scopes).toEqual(['projects:read']);
    const elsewhere = await api.post('/end_user_api_keys/validate', {
      api_key_token: apiKeyToken,
      client_ip: '198.51.100.1',
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.api_key_token).toEqual([
      'The API key may not be used from this address.',
    ]);
  });

  it('the remote client checks scopes and sends the client address', async () => {
    const { server, url } = await listen(backend.app);
    const client = createLatchkeyClient({ url, integrationKey: backend.integrationKey });
    try {
      const app = express();
      app.set('trust proxy', 'loopback');
      app.get(
        '/write',
        client.requireApiKey({ scopes: ['projects:write'] }),
        (req: Request, res: Response) => res.json({ scopes: req.apiKey?.scopes }),
      );
      const reader = await backend.latchkey.createApiKey({ scopes: ['projects:read'] });
      const writer = await backend.latchkey.createApiKey({
        scopes: ['projects:write'],
        allowedIps: ['203.0.113.0/24'],
      });
      const call = (token: string, ip: string) =>
        request(app)
          .get('/write')
          .set('Authorization', `Bearer ${token}`)
          .set('X-Forwarded-For', ip);
      const refused = await call(reader.apiKeyToken, '203.0.113.1');
      expect(refused.status).toBe(403);
      expect(refused.headers['www-authenticate']).toContain('scope="projects:write"');
      expect((await call(writer.apiKeyToken, '203.0.113.1')).body).toEqual({
        scopes: ['projects:write'],
      });
      // Cached per address: another address is asked about, and refused.
      expect((await call(writer.apiKeyToken, '198.51.100.1')).status).toBe(401);
      expect((await client.validateApiKey(writer.apiKeyToken, { ip: '203.0.113.9' })).valid).toBe(
        true,
      );
    } finally {
      client.close();
      await closeServer(server);
    }
  });
});
