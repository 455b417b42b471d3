import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { BACKEND_API_PREFIX as API } from '../../src/http/rest/routes';
import { formTokens, shownToken } from '../support/pages';
import { makeSecurityApp, type Agent, type SecurityApp } from './support';
import { failValidationReads } from '../support/world';

/**
 * Runs the flows that handle secrets (sign-in, failed sign-in, key and integration key
 * creation, validation, bad input, store failures) with the logger captured, then
 * checks that no password, API token, integration key or session id appears in any
 * log line, response body, redirect or other header, except the one response that
 * shows a new token once.
 */

const secret = (label: string) => `${label}-${randomBytes(9).toString('base64url')}`;

interface Seen {
  what: string;
  text: string;
  /** Secrets this response may show: a new token's one-time display. */
  shows: string[];
}

describe('secrets never leak', () => {
  let s: SecurityApp;
  const seen: Seen[] = [];
  const secrets: Record<string, string> = {};
  const adminPassword = secret('admin-pw');
  const userPassword = secret('user-pw');

  /** Records what a response exposes: status line, every header but Set-Cookie, and the body. */
  function record(what: string, res: request.Response, shows: string[] = []) {
    const headers = Object.entries(res.headers)
      .filter(([name]) => name !== 'set-cookie')
      .map(([name, v]) => `${name}: ${String(v)}`)
      .join('\n');
    seen.push({ what, text: `${res.status}\n${headers}\n${res.text}`, shows });
    return res;
  }

  /** The session id inside a signed express-session cookie the agent holds. */
  function sessionIdOf(agent: Agent, name: string, path: string): string {
    const jar = (
      agent as unknown as { jar: { getCookie(n: string, o: object): { value: string } } }
    ).jar;
    const value = decodeURIComponent(
      jar.getCookie(name, { domain: '127.0.0.1', path, secure: false, script: false }).value,
    );
    return /^s:([^.]+)\./.exec(value)![1]!;
  }

  async function submit(
    agent: Agent,
    page: string,
    action: string,
    fields: Record<string, string>,
  ) {
    const html = record(`GET ${page}`, await agent.get(page));
    return record(
      `POST ${action}`,
      await agent
        .post(action)
        .type('form')
        .send({ ...formTokens(html.text), ...fields }),
    );
  }

  beforeAll(async () => {
    s = await makeSecurityApp();
    const admin = await s.latchkey.createAdmin({
      email: 'ops@example.com',
      password: adminPassword,
    });
    secrets.adminPassword = adminPassword;
    secrets.userPassword = userPassword;

    // Dashboard: a failed sign-in, a good one, a user, an integration key shown once.
    const ops = request.agent(s.app);
    secrets.wrongAdminPassword = secret('wrong-admin-pw');
    await submit(ops, '/admin/login', '/admin/login', {
      email: admin.email,
      password: secrets.wrongAdminPassword,
    });
    await submit(ops, '/admin/login', '/admin/login', {
      email: admin.email,
      password: adminPassword,
    });
    secrets.adminSession = sessionIdOf(ops, 'latchkey.admin.sid', '/admin');
    await submit(ops, '/admin/users', '/admin/users', {
      email: 'eve@example.com',
      password: userPassword,
    });
    secrets.refusedUserPassword = secret('refused-pw');
    await submit(ops, '/admin/users', '/admin/users', {
      email: 'not an email',
      password: secrets.refusedUserPassword,
    });
    secrets.refusedAdminPassword = secret('refused-admin-pw');
    await submit(ops, '/admin/admins', '/admin/admins', {
      email: 'also not an email',
      password: secrets.refusedAdminPassword,
    });
    await submit(ops, '/admin/integration-keys', '/admin/integration-keys', { name: 'backend' });
    const once = await ops.get('/admin/integration-keys');
    const integrationKey = shownToken(once.text)!;
    expect(integrationKey).toMatch(/^lki_/);
    secrets.integrationKey = integrationKey;
    record('GET /admin/integration-keys (one-time display)', once, [integrationKey]);
    record('GET /admin/integration-keys (again)', await ops.get('/admin/integration-keys'));

    // Backend API: a key shown once in the create answer, then fetched, listed, validated.
    const api = (r: request.Test) => r.set('Authorization', `Bearer ${integrationKey}`);
    const eve = (await s.latchkey.fetchUserByEmail('eve@example.com'))!;
    const created = await api(request(s.app).post(`${API}/end_user_api_keys`)).send({
      user_id: eve.id,
    });
    const restToken = (created.body as { api_key_token: string }).api_key_token;
    secrets.restToken = restToken;
    record('POST end_user_api_keys (one-time display)', created, [restToken]);
    const keyId = (created.body as { api_key_id: string }).api_key_id;
    record('GET key', await api(request(s.app).get(`${API}/end_user_api_keys/${keyId}`)));
    record('GET keys', await api(request(s.app).get(`${API}/end_user_api_keys?user_id=${eve.id}`)));
    record(
      'POST validate',
      await api(request(s.app).post(`${API}/end_user_api_keys/validate`)).send({
        api_key_token: restToken,
      }),
    );
    record(
      'POST validate (mistyped)',
      await api(request(s.app).post(`${API}/end_user_api_keys/validate`)).send({
        api_key_token: `${restToken}x`,
      }),
    );
    secrets.restUserPassword = secret('rest-pw');
    record(
      'POST user',
      await api(request(s.app).post(`${API}/user/`)).send({
        email: 'rest@example.com',
        password: secrets.restUserPassword,
      }),
    );
    secrets.refusedRestPassword = secret('rest-refused-pw');
    record(
      'POST user (bad email)',
      await api(request(s.app).post(`${API}/user/`)).send({
        email: 'nope',
        password: secrets.refusedRestPassword,
      }),
    );

    // Hosted pages: a failed sign-in, a good one, a key shown once, used and revoked.
    const user = request.agent(s.app);
    secrets.wrongUserPassword = secret('wrong-user-pw');
    await submit(user, '/login', '/login', {
      email: 'eve@example.com',
      password: secrets.wrongUserPassword,
    });
    await submit(user, '/login', '/login', { email: 'eve@example.com', password: userPassword });
    secrets.userSession = sessionIdOf(user, 'latchkey.sid', '/');
    const expiry = s.latchkey.getSettings().defaultExpiry;
    await submit(user, '/keys/new', '/keys', { displayName: 'laptop', expiry });
    const shown = await user.get('/keys');
    const pageToken = shownToken(shown.text)!;
    expect(pageToken).toBeTruthy();
    secrets.pageToken = pageToken;
    record('GET /keys (one-time display)', shown, [pageToken]);
    record('GET /keys (again)', await user.get('/keys'));
    for (const token of [pageToken, `${pageToken}x`, restToken])
      record(
        'POST /api/whoami',
        await request(s.app).post('/api/whoami').set('Authorization', `Bearer ${token}`),
      );
    const pageKey = (await s.latchkey.listApiKeys({ userId: eve.id })).keys.find(
      (k) => k.displayName === 'laptop',
    )!;
    await submit(user, `/keys/${pageKey.id}/revoke`, `/keys/${pageKey.id}/revoke`, {});
    record(
      'POST /api/whoami (revoked)',
      await request(s.app).post('/api/whoami').set('Authorization', `Bearer ${pageToken}`),
    );

    // Store failures: the unexpected-error paths log, and must log no secret.
    const restoreReads = failValidationReads(s.latchkey.store, new Error('database is locked'));
    const uncached = (await s.latchkey.createApiKey({ userId: eve.id })).apiKeyToken;
    secrets.uncachedToken = uncached;
    record(
      'POST /api/whoami (store down)',
      await request(s.app).post('/api/whoami').set('Authorization', `Bearer ${uncached}`),
    );
    restoreReads();
    const failingLogin = jest
      .spyOn(s.latchkey.store, 'findUserByEmail')
      .mockRejectedValue(new Error('database is locked'));
    await submit(request.agent(s.app), '/login', '/login', {
      email: 'eve@example.com',
      password: userPassword,
    });
    failingLogin.mockRestore();

    await submit(user, '/keys', '/logout', {});
    await submit(ops, '/admin/settings', '/admin/logout', {});
  });
  afterAll(() => s.latchkey.close());

  it('ran every flow: sign-ins, one-time displays, refusals and failures were all seen', () => {
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(14);
    const displays = seen.filter((x) => x.shows.length);
    expect(displays).toHaveLength(3);
    // The search finds a token where one is shown, so finding none elsewhere means something.
    for (const d of displays) expect(d.text).toContain(d.shows[0]);
    const statuses = seen.map((x) => `${x.what} ${x.text.slice(0, 3)}`);
    expect(statuses).toEqual(
      expect.arrayContaining([
        'POST /admin/login 401',
        'POST /admin/users 400',
        'POST /admin/admins 400',
        'POST user 200',
        'POST user (bad email) 400',
        'POST validate 200',
        'POST validate (mistyped) 400',
        'POST /login 401',
        'POST /api/whoami (revoked) 401',
      ]),
    );
    expect(seen.some((x) => x.text.startsWith('503'))).toBe(true);
    expect(seen.some((x) => x.text.startsWith('500'))).toBe(true);
    expect(s.latchkey.logs.lines.length).toBeGreaterThan(0);
  });

  it('no log line holds a password, token, integration key or session id', () => {
    const leaks = Object.entries(secrets).filter(([, v]) => s.latchkey.logs.text.includes(v));
    expect(leaks.map(([name]) => name)).toEqual([]);
  });

  it('no response body, redirect or header shows one, except the one-time display of a new token', () => {
    const leaks: string[] = [];
    for (const { what, text, shows } of seen)
      for (const [name, value] of Object.entries(secrets))
        if (!shows.includes(value) && text.includes(value)) leaks.push(`${what}: ${name}`);
    expect(leaks).toEqual([]);
  });
});
