import request from 'supertest';
import { aKey } from '../../support/fixtures';
import { makeApp } from '../../support/harness';
import {
  aUserWithPassword,
  formTokens,
  shownToken,
  signedInAgent,
  submitForm,
} from '../../support/pages';

async function setup() {
  const { app, latchkey } = await makeApp();
  const user = await aUserWithPassword(latchkey);
  const agent = await signedInAgent(app, user.email);
  return { app, latchkey, user, agent };
}

const createKey = (agent: ReturnType<typeof request.agent>, fields: Record<string, string>) =>
  submitForm(agent, '/keys/new', '/keys', {
    displayName: 'Deploy script',
    expiry: '1m',
    ...fields,
  });

describe('My API keys page', () => {
  it('creates a key and shows its token once, then never again', async () => {
    const { app, agent, user, latchkey } = await setup();
    const created = await createKey(agent, {});
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/keys');
    const page = await agent.get('/keys').expect(200);
    const token = shownToken(page.text);
    expect(token).toMatch(/^lk_/);
    expect(page.text).toContain('It will not be shown again');
    const whoami = await request(app)
      .post('/api/whoami')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(whoami.body.user.userId).toBe(user.id);
    const audit = await latchkey.store.listAudit(
      { action: 'key.created' },
      { limit: 10, offset: 0 },
    );
    expect(audit.items.map((e) => e.actor)).toEqual([`user:${user.id}`]);
    const reload = await agent.get('/keys').expect(200);
    expect(shownToken(reload.text)).toBeNull();
    expect(reload.text).not.toContain(token!);
    expect(reload.text).toContain('Deploy script');
  });

  it('never puts the token in a URL, a log line or the stored session after it is shown', async () => {
    const { agent, latchkey } = await setup();
    const created = await createKey(agent, {});
    const token = shownToken((await agent.get('/keys')).text)!;
    expect(created.headers.location).not.toContain(token);
    expect(latchkey.logs.text).not.toContain(token);
    const sessions = (
      latchkey.store as unknown as { db: { prepare(s: string): { all(): { data: string }[] } } }
    ).db
      .prepare('SELECT data FROM sessions')
      .all();
    expect(sessions.some((s) => s.data.includes(token))).toBe(false);
  });

  it('offers the admin’s expiry choices with the default preselected', async () => {
    const { agent, latchkey } = await setup();
    await latchkey.updateSettings({ expiryChoices: ['2w', '1y'], defaultExpiry: '1y' });
    const page = await agent.get('/keys/new').expect(200);
    expect(page.text).toMatch(/<option value="1y" selected>One year<\/option>/);
    expect(page.text).toContain('<option value="2w">Two weeks</option>');
    expect(page.text).not.toContain('value="3m"');
    expect(page.text).toMatch(/<label for="field-displayName">Name<\/label>/);
    expect(page.text).toMatch(/<label for="field-expiry">Expires<\/label>/);
  });

  it('sets the expiry from the chosen option', async () => {
    const { agent, latchkey, user } = await setup();
    await createKey(agent, { expiry: 'never' }).then((r) => expect(r.status).toBe(303));
    await createKey(agent, { expiry: '2w' }).then((r) => expect(r.status).toBe(303));
    const { keys } = await latchkey.listApiKeys({ userId: user.id });
    const expiries = keys.map((k) => k.expiresAt);
    expect(expiries).toContain(null);
    const twoWeeks = expiries.find((e) => e !== null)! - Math.floor(Date.now() / 1000);
    expect(Math.abs(twoWeeks - 14 * 86400)).toBeLessThan(60);
  });

  it.each([
    ['an empty name', { displayName: '   ' }, 'Name: must not be empty'],
    [
      'a name over 100 characters',
      { displayName: 'x'.repeat(101) },
      'Name: must be at most 100 characters',
    ],
    [
      'an expiry that is not offered',
      { expiry: '5y' },
      'Expires: choose one of the offered expiry times',
    ],
  ])(
    'refuses %s, names the field, keeps the input and creates nothing',
    async (_c, fields, message) => {
      const { agent, latchkey, user } = await setup();
      const res = await createKey(agent, fields);
      expect(res.status).toBe(400);
      expect(res.text).toContain(message);
      expect(res.text).toContain('aria-invalid="true"');
      // The name as typed (createKey types "Deploy script" unless the case gives another).
      const typed = 'displayName' in fields ? fields.displayName : 'Deploy script';
      if (typed.trim()) expect(res.text).toContain(`value="${typed}"`);
      expect((await latchkey.listApiKeys({ userId: user.id })).total).toBe(0);
    },
  );

  it('lists a key whose stored expiry is past the year 9999 instead of failing', async () => {
    const { agent, latchkey, user } = await setup();
    const { key } = aKey({ kind: 'personal', userId: user.id, expiresAt: 1e13 });
    await latchkey.store.insertKey(key, 0, Math.floor(Date.now() / 1000));
    const page = await agent.get('/keys').expect(200);
    expect(page.text).toContain('After the year 9999');
  });

  it('escapes script-laden names everywhere they appear', async () => {
    const { agent } = await setup();
    const evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    await createKey(agent, { displayName: evil }).then((r) => expect(r.status).toBe(303));
    const page = await agent.get('/keys');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const tooLong = await createKey(agent, { displayName: `${evil}${'x'.repeat(100)}` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).not.toContain('<script>alert(1)');
  });

  it('lists only the user’s own personal keys, never org or generic keys', async () => {
    const { agent, latchkey, user } = await setup();
    const other = await aUserWithPassword(latchkey);
    const org = await latchkey.createOrg({ name: 'Acme' });
    await latchkey.addUserToOrg(org.id, user.id, 'Owner');
    await latchkey.createApiKey({ userId: user.id, displayName: 'mine' });
    await latchkey.createApiKey({ userId: other.id, displayName: 'someone else’s' });
    await latchkey.createApiKey({ displayName: 'generic backend key' });
    await latchkey.createApiKey({ orgId: org.id, userId: user.id, displayName: 'org key' });
    const page = await agent.get('/keys').expect(200);
    expect(page.text).toContain('mine');
    expect(page.text).not.toContain('someone else');
    expect(page.text).not.toContain('generic backend key');
    expect(page.text).not.toContain('org key');
  });

  it('cannot make a generic or org key through extra form fields', async () => {
    const { agent, latchkey, user } = await setup();
    const org = await latchkey.createOrg({ name: 'Acme' });
    await createKey(agent, { orgId: org.id, userId: '', kind: 'generic' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const { keys } = await latchkey.listApiKeys({ pageSize: 100 });
    expect(keys.map((k) => [k.kind, k.userId, k.orgId])).toEqual([['personal', user.id, null]]);
  });

  it('revokes a key after a confirmation step and lists it apart', async () => {
    const { app, agent, latchkey, user } = await setup();
    const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({
      userId: user.id,
      displayName: 'old laptop',
    });
    const confirm = await agent.get(`/keys/${apiKeyId}/revoke`).expect(200);
    expect(confirm.text).toContain('Revoke “old laptop”?');
    expect((await latchkey.fetchApiKey(apiKeyId)).archivedAt).toBeNull();
    const res = await agent
      .post(`/keys/${apiKeyId}/revoke`)
      .type('form')
      .send(formTokens(confirm.text))
      .expect(303);
    expect(res.headers.location).toBe('/keys');
    const page = await agent.get('/keys');
    expect(page.text).toContain('Revoked “old laptop”');
    const revokedSection = page.text.slice(page.text.indexOf('<h2>Revoked keys</h2>'));
    expect(revokedSection).toContain('old laptop');
    await request(app)
      .post('/api/whoami')
      .set('Authorization', `Bearer ${apiKeyToken}`)
      .expect(401);
  });

  it('answers 404 for another user’s key, a generic key or an unknown id, and changes nothing', async () => {
    const { agent, latchkey } = await setup();
    const other = await aUserWithPassword(latchkey);
    const theirs = await latchkey.createApiKey({ userId: other.id });
    const generic = await latchkey.createApiKey({});
    const page = await agent.get('/keys');
    for (const id of [theirs.apiKeyId, generic.apiKeyId, 'f'.repeat(32), 'not-a-key-id']) {
      await agent.get(`/keys/${id}/revoke`).expect(404);
      const res = await agent
        .post(`/keys/${id}/revoke`)
        .type('form')
        .send(formTokens((await agent.get('/keys')).text))
        .expect(404);
      expect(res.text).toContain('API key not found.');
    }
    expect((await latchkey.fetchApiKey(theirs.apiKeyId)).archivedAt).toBeNull();
    expect((await latchkey.fetchApiKey(generic.apiKeyId)).archivedAt).toBeNull();
    expect(page.status).toBe(200);
  });

  it('says plainly when a key is already revoked', async () => {
    const { agent, latchkey, user } = await setup();
    const { apiKeyId } = await latchkey.createApiKey({ userId: user.id, displayName: 'gone' });
    const confirm = await agent.get(`/keys/${apiKeyId}/revoke`);
    await latchkey.archiveApiKey(apiKeyId);
    const res = await agent
      .post(`/keys/${apiKeyId}/revoke`)
      .type('form')
      .send(formTokens(confirm.text))
      .expect(409);
    expect(res.text).toContain('“gone” is already revoked.');
    expect((await agent.get(`/keys/${apiKeyId}/revoke`)).status).toBe(409);
  });

  it('creates one key from a double submit and explains the second', async () => {
    const { agent, latchkey, user } = await setup();
    const page = await agent.get('/keys/new');
    const body = { ...formTokens(page.text), displayName: 'twice', expiry: '1m' };
    const [first, second] = await Promise.all([
      agent.post('/keys').type('form').send(body),
      agent.post('/keys').type('form').send(body),
    ]);
    expect([first.status, second.status].sort()).toEqual([303, 409]);
    const again = await agent.post('/keys').type('form').send(body).expect(409);
    expect(again.text).toContain('This form was already submitted or is out of date');
    expect((await latchkey.listApiKeys({ userId: user.id })).total).toBe(1);
  });

  it('refuses a stale form whose id the session never issued', async () => {
    const { agent, latchkey, user } = await setup();
    const page = await agent.get('/keys/new');
    const res = await agent
      .post('/keys')
      .type('form')
      .send({ ...formTokens(page.text), formId: 'a'.repeat(32), displayName: 'x', expiry: '1m' })
      .expect(409);
    expect(res.text).toContain('Nothing was changed');
    expect((await latchkey.listApiKeys({ userId: user.id })).total).toBe(0);
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'f'.repeat(256)],
  ])('refuses a create or revoke with a %s CSRF token and changes nothing', async (_c, csrf) => {
    const { agent, latchkey, user } = await setup();
    const { apiKeyId } = await latchkey.createApiKey({ userId: user.id });
    const page = await agent.get('/keys/new');
    const { formId } = formTokens(page.text);
    const fields = csrf === undefined ? { formId } : { formId, _csrf: csrf };
    await agent
      .post('/keys')
      .type('form')
      .send({ ...fields, displayName: 'x', expiry: '1m' })
      .expect(403);
    await agent.post(`/keys/${apiKeyId}/revoke`).type('form').send(fields).expect(403);
    const { keys } = await latchkey.listApiKeys({ userId: user.id });
    expect(keys.map((k) => [k.id, k.archivedAt])).toEqual([[apiKeyId, null]]);
  });

  it('enforces the maximum number of keys with a clear message', async () => {
    const { agent, latchkey, user } = await setup();
    await latchkey.updateSettings({ maxKeysPerUser: 1 });
    await createKey(agent, { displayName: 'first' }).then((r) => expect(r.status).toBe(303));
    const res = await createKey(agent, { displayName: 'second' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('already has the maximum of 1 active API key');
    expect(res.text).toContain('value="second"');
    expect((await latchkey.listApiKeys({ userId: user.id })).total).toBe(1);
  });

  it.each([['personalKeysEnabled'], ['personalPageEnabled']] as const)(
    'hides the page and refuses its forms on the next load when %s is turned off',
    async (setting) => {
      const { agent, latchkey, user } = await setup();
      const { apiKeyId } = await latchkey.createApiKey({ userId: user.id });
      const form = await agent.get('/keys/new').expect(200);
      await latchkey.updateSettings({ [setting]: false });
      await agent.get('/keys').expect(404);
      await agent
        .post('/keys')
        .type('form')
        .send({ ...formTokens(form.text), displayName: 'x', expiry: '1m' })
        .expect(404);
      await agent
        .post(`/keys/${apiKeyId}/revoke`)
        .type('form')
        .send(formTokens(form.text))
        .expect(404);
      expect((await agent.get('/').expect(200)).text).toContain('There are no API key pages');
      expect((await latchkey.listApiKeys({ userId: user.id })).keys[0]?.archivedAt).toBeNull();
      await latchkey.updateSettings({ [setting]: true });
      await agent.get('/keys').expect(200);
    },
  );

  it('answers JSON errors to clients that ask for JSON', async () => {
    const { agent } = await setup();
    const res = await agent
      .get(`/keys/${'f'.repeat(32)}/revoke`)
      .set('Accept', 'application/json')
      .expect(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'API key not found.', fields: {} });
    const page = await agent.get('/keys/new');
    const bad = await agent
      .post('/keys')
      .type('form')
      .set('Accept', 'application/json')
      .send({ ...formTokens(page.text), displayName: '', expiry: '1m' })
      .expect(400);
    expect(bad.body.fields).toEqual({ displayName: ['must not be empty'] });
  });

  it('serves the stylesheet and copy script, and no page for other paths', async () => {
    const { app } = await setup();
    await request(app).get('/assets/styles.css').expect(200).expect('Content-Type', /css/);
    await request(app)
      .get('/assets/copy.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    const health = await request(app).get('/healthz').expect(200);
    expect(health.headers['set-cookie']).toBeUndefined();
    await request(app).post('/api/whoami').expect(401);
  });
});
