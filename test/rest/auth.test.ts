import request from 'supertest';
import { ENDPOINTS } from '../../src/http/rest/routes';
import { API, makeBackend, SERVING } from './support';

const SAMPLE_IDS: Record<string, string> = {
  api_key_id: '0123456789abcdef0123456789abcdef',
  user_id: '00000000-0000-4000-8000-000000000000',
  org_id: '00000000-0000-4000-8000-000000000001',
};
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_IDS[name] ?? 'x');

describe.each(SERVING)('integration-key authentication on every backend route (%s)', (serving) => {
  let backend: Awaited<ReturnType<typeof makeBackend>>;
  let archivedKey: string;
  beforeAll(async () => {
    backend = await makeBackend({}, serving);
    const made = await backend.latchkey.createIntegrationKey('to be archived');
    await backend.latchkey.archiveIntegrationKey(made.key.id);
    archivedKey = made.token;
  });
  afterAll(() => backend.latchkey.close());

  const credentials: [string, () => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['a made-up key', () => 'Bearer lki_notarealkeyatall'],
    ['an archived key', () => `Bearer ${archivedKey}`],
  ];

  for (const endpoint of ENDPOINTS) {
    for (const [label, header] of credentials) {
      it(`${endpoint.method.toUpperCase()} ${endpoint.path} answers 401 JSON to ${label}`, async () => {
        let req = request(backend.app)[endpoint.method](`${API}${concrete(endpoint.path)}`);
        const value = header();
        if (value) req = req.set('Authorization', value);
        const res = await req;
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
        expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
      });
    }
  }

  it('refuses an end-user API key used as an integration key', async () => {
    const { apiKeyToken } = await backend.latchkey.createApiKey({});
    const res = await request(backend.app)
      .get(`${API}/end_user_api_keys`)
      .set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(401);
  });

  it('checks the key before reading the body, so anonymous callers get 401 even for bad JSON', async () => {
    const res = await request(backend.app)
      .post(`${API}/end_user_api_keys`)
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(res.status).toBe(401);
  });

  it('never writes the integration key to the logs', async () => {
    await backend.api.get('/end_user_api_keys');
    await backend.api.get('/nope');
    expect(backend.latchkey.logs.text).not.toContain(backend.integrationKey);
  });

  it('answers unknown routes and methods 401 to anonymous callers, so they learn nothing of which exist', async () => {
    for (const req of [
      request(backend.app).get(`${API}/no_such_thing`),
      request(backend.app).get(`${API}/end_user_api_keys/validate`),
      request(backend.app)
        .post(`${API}/no_such_thing`)
        .set('Content-Type', 'application/json')
        .send('{not json'),
    ]) {
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
    }
  });

  it('answers unknown backend routes with a JSON 404', async () => {
    const res = await backend.api.get('/no_such_thing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: expect.any(String) });
  });
});
