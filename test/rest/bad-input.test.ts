import request from 'supertest';
import { API, makeBackend, SERVING } from './support';

/** Whatever a caller sends, the answer is a JSON 4xx, nothing stored changes, and the server keeps going. */
describe.each(SERVING)('backend API: bad input (%s)', (serving) => {
  let t: Awaited<ReturnType<typeof makeBackend>>;
  let snapshot: () => Promise<string>;
  beforeEach(async () => {
    t = await makeBackend({ cacheTtlMs: 0 }, serving);
    const user = await t.latchkey.createUser({ email: 'keep@example.com' });
    await t.latchkey.createApiKey({ userId: user.id, metadata: { keep: true } });
    snapshot = async () =>
      JSON.stringify([
        await t.latchkey.listApiKeys({ pageSize: 1000 }),
        await t.latchkey.listApiKeys({ pageSize: 1000, archived: true }),
        await t.latchkey.listUsers(),
        await t.latchkey.listOrgs(),
      ]);
  });
  afterEach(() => t.latchkey.close());

  const raw = (method: 'post' | 'patch', path: string, body: string, type = 'application/json') =>
    request(t.app)[method](`${API}${path}`).set(t.auth).set('Content-Type', type).send(body);

  it('answers malformed JSON with 400 naming the body', async () => {
    const before = await snapshot();
    const res = await raw('post', '/end_user_api_keys', '{"user_id": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ body: ['is not valid JSON'] });
    expect(await snapshot()).toBe(before);
  });

  it('answers a body over the limit with a JSON 413', async () => {
    const before = await snapshot();
    const res = await t.api.post('/end_user_api_keys', { metadata: { blob: 'x'.repeat(200_000) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it('answers metadata over its own size limit with 400 naming metadata', async () => {
    const res = await t.api.post('/end_user_api_keys', { metadata: { blob: 'x'.repeat(20_000) } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['metadata']);
  });

  it.each([
    ['a number as user_id', { user_id: 42 }, 'user_id'],
    ['a string as expires_at_seconds', { expires_at_seconds: 'tomorrow' }, 'expires_at_seconds'],
    ['fractional seconds', { expires_at_seconds: 1.5 }, 'expires_at_seconds'],
    ['an array as metadata', { metadata: [1, 2] }, 'metadata'],
    ['an operator key in metadata', { metadata: { $gt: 1 } }, 'metadata'],
    ['an empty display_name', { display_name: '  ' }, 'display_name'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a non-UUID org_id', { org_id: '12' }, 'org_id'],
  ])('refuses %s with 400 naming the field', async (_label, body, field) => {
    const before = await snapshot();
    const res = await t.api.post('/end_user_api_keys', body);
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty(field);
    expect(Object.values(res.body as object).every((m) => Array.isArray(m))).toBe(true);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a JSON array or scalar body', async () => {
    for (const body of ['[1,2]', '"hi"', '3']) {
      const res = await raw('post', '/user/', body);
      expect(res.status).toBe(400);
      expect(res.body).toHaveProperty('body');
    }
  });

  it('refuses a body that is not JSON as missing its required fields', async () => {
    const res = await raw('post', '/end_user_api_keys/validate', 'api_key_token=x', 'text/plain');
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty('api_key_token');
  });

  it.each([
    ['/end_user_api_keys?page_size=0', 'page_size'],
    ['/end_user_api_keys?page_size=abc', 'page_size'],
    ['/end_user_api_keys?page_size=100000', 'page_size'],
    ['/end_user_api_keys?page_number=-1', 'page_number'],
    ['/end_user_api_keys?user_id=nope', 'user_id'],
    ['/end_user_api_keys?colour=red', 'colour'],
    ['/end_user_api_keys?user_id=a&user_id=b', 'user_id'],
    ['/end_user_api_keys/usage?date=yesterday', 'date'],
    ['/end_user_api_keys/usage?date=2024-02-31', 'date'],
    ['/end_user_api_keys/usage?api_key_id=xyz', 'api_key_id'],
    ['/user/email', 'email'],
    ['/user/00000000-0000-4000-8000-000000000000?include_orgs=maybe', 'include_orgs'],
  ])('refuses the query %s with 400 naming %s', async (path, field) => {
    const res = await t.api.get(path);
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty(field);
  });

  it('answers a page past the end with an empty page', async () => {
    const res = await t.api.get('/end_user_api_keys?page_size=10&page_number=99');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ api_keys: [], total_api_keys: 1, has_more_results: false });
  });

  it('keeps answering after a burst of bad requests', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => raw('post', '/end_user_api_keys', `{"bad": ${i}`)),
    );
    expect((await t.api.get('/end_user_api_keys')).status).toBe(200);
  });

  it('never answers 500 to mangled validate requests', async () => {
    const bodies = [
      {},
      { api_key_token: null },
      { api_key_token: 'x'.repeat(5000) },
      { api_key_token: ['a'] },
    ];
    for (const body of bodies) {
      const res = await t.api.post('/end_user_api_keys/validate', body);
      expect(res.status).toBe(400);
    }
  });
});
