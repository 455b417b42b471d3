import type { Settings } from '../../src/core/types';
import { SETTING_FIELDS } from '../../src/http/admin/settings-fields';
import type { Latchkey } from '../../src/latchkey';
import { aUserWithPassword, formTokens, signedInAgent, submitForm } from '../support/pages';
import { formFor, post, signedInAdmin, whoami, type Agent } from './support';

async function save(
  agent: Agent,
  latchkey: Latchkey,
  changes: Partial<Record<keyof Settings, unknown>>,
) {
  return post(
    agent,
    '/admin/settings',
    '/admin/settings',
    formFor(latchkey.getSettings(), changes),
  );
}

/** Posts the settings form as the given content type asks. */
async function postRaw(agent: Agent, form: Record<string, string | string[]>, accept: string) {
  const page = await agent.get('/admin/settings');
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...formTokens(page.text), ...form }))
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  return agent.post('/admin/settings').set('Accept', accept).type('form').send(body.toString());
}

async function setup() {
  const ctx = await signedInAdmin();
  const user = await aUserWithPassword(ctx.latchkey);
  const org = await ctx.latchkey.createOrg({ name: 'Acme' });
  await ctx.latchkey.addUserToOrg(org.id, user.id, 'Owner');
  const personal = await ctx.latchkey.createApiKey({ userId: user.id });
  const orgKey = await ctx.latchkey.createApiKey({ orgId: org.id, userId: user.id });
  const endUser = await signedInAgent(ctx.app, user.email);
  return { ...ctx, user, org, personal: personal.apiKeyToken, orgKey: orgKey.apiKeyToken, endUser };
}

describe('admin settings page', () => {
  it('shows every setting with its current value', async () => {
    const { agent } = await signedInAdmin();
    const page = await agent.get('/admin/settings').expect(200);
    for (const field of SETTING_FIELDS) {
      const name = field.kind === 'rateLimit' ? `${field.name}Limit` : field.name;
      expect(page.text).toContain(`name="${name}"`);
    }
    expect(page.text).toContain('value="lk"');
    expect(page.text).toMatch(/name="personalKeysEnabled" value="on"\s+checked/);
  });

  it('a per-user rate limit set on the form answers 429 past the allowance; clearing it lifts the limit', async () => {
    const { app, agent, latchkey, personal } = await setup();
    expect(
      (await save(agent, latchkey, { userRateLimit: { limit: 2, periodSeconds: 3600 } })).status,
    ).toBe(303);
    expect(latchkey.getSettings().userRateLimit).toEqual({ limit: 2, periodSeconds: 3600 });
    await whoami(app, personal).expect(200);
    await whoami(app, personal).expect(200);
    const limited = await whoami(app, personal).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toMatch(/name="userRateLimitLimit"[^>]*value="2"/);
    expect(page.text).toMatch(/value="hour" selected/);
    await save(agent, latchkey, { userRateLimit: null });
    expect(latchkey.getSettings().userRateLimit).toBeNull();
    await whoami(app, personal).expect(200);
  });

  it('refuses a rate limit that is not a whole number, and saves nothing', async () => {
    const { agent, latchkey } = await setup();
    const before = latchkey.getSettings();
    const res = await postRaw(
      agent,
      { ...formFor(before), userRateLimitLimit: 'lots', userRateLimitPeriodUnit: 'minute' },
      'application/json',
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('userRateLimit');
    expect(latchkey.getSettings()).toEqual(before);
  });

  it('turning personal keys off fails existing personal keys and hides the personal page; on restores both', async () => {
    const { app, agent, latchkey, org, personal, orgKey, endUser } = await setup();
    await whoami(app, personal).expect(200);
    expect((await save(agent, latchkey, { personalKeysEnabled: false })).status).toBe(303);
    await whoami(app, personal).expect(401);
    await whoami(app, orgKey).expect(200);
    await endUser.get('/keys').set('Accept', 'text/html').expect(404);
    const orgPage = `/orgs/${org.id}/keys`;
    expect((await endUser.get(orgPage).expect(200)).text).not.toContain('My API keys');
    await save(agent, latchkey, { personalKeysEnabled: true });
    await whoami(app, personal).expect(200);
    await endUser.get('/keys').expect(200);
    expect((await endUser.get(orgPage).expect(200)).text).toContain('My API keys');
  });

  it('turning org keys off fails existing org keys and hides the org page; on restores both', async () => {
    const { app, agent, latchkey, org, personal, orgKey, endUser } = await setup();
    await save(agent, latchkey, { orgKeysEnabled: false });
    await whoami(app, orgKey).expect(401);
    await whoami(app, personal).expect(200);
    await endUser.get(`/orgs/${org.id}/keys`).set('Accept', 'text/html').expect(404);
    expect((await endUser.get('/keys').expect(200)).text).not.toContain('Organization API keys');
    await save(agent, latchkey, { orgKeysEnabled: true });
    await whoami(app, orgKey).expect(200);
    await endUser.get(`/orgs/${org.id}/keys`).expect(200);
  });

  it('hiding the personal page keeps personal keys working', async () => {
    const { app, agent, latchkey, personal, endUser } = await setup();
    await save(agent, latchkey, { personalPageEnabled: false });
    await endUser.get('/keys').set('Accept', 'text/html').expect(404);
    await whoami(app, personal).expect(200);
    await save(agent, latchkey, { personalPageEnabled: true });
    await endUser.get('/keys').expect(200);
  });

  it('hiding the org page keeps org keys working', async () => {
    const { app, agent, latchkey, org, orgKey, endUser } = await setup();
    await save(agent, latchkey, { orgPageEnabled: false });
    await endUser.get(`/orgs/${org.id}/keys`).set('Accept', 'text/html').expect(404);
    await whoami(app, orgKey).expect(200);
    await save(agent, latchkey, { orgPageEnabled: true });
    await endUser.get(`/orgs/${org.id}/keys`).expect(200);
  });

  it('links a preview of each hosted page', async () => {
    const { agent } = await signedInAdmin();
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('href="/keys"');
    expect(page.text).toContain('href="/orgs"');
    expect(page.text).toContain('href="/signup"');
  });

  it('self sign-up opens and closes the sign-up page', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const { default: request } = await import('supertest');
    await request(app).get('/signup').set('Accept', 'text/html').expect(404);
    await save(agent, latchkey, { selfSignupEnabled: true });
    await request(app).get('/signup').expect(200);
    await save(agent, latchkey, { selfSignupEnabled: false });
    await request(app).get('/signup').set('Accept', 'text/html').expect(404);
  });

  it('offers only the chosen expiry times on the hosted pages, with the default selected', async () => {
    const { agent, latchkey, endUser } = await setup();
    await save(agent, latchkey, { expiryChoices: ['1m', '1y'], defaultExpiry: '1y' });
    const page = await endUser.get('/keys/new').expect(200);
    const options = [...page.text.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['1m', '1y']);
    expect(page.text).toMatch(/<option value="1y" selected>/);
  });

  it('lets members manage org keys once their role is allowed', async () => {
    const { app, agent, latchkey, org } = await setup();
    const member = await aUserWithPassword(latchkey);
    await latchkey.addUserToOrg(org.id, member.id, 'Member');
    const memberAgent = await signedInAgent(app, member.email);
    await memberAgent.get(`/orgs/${org.id}/keys/new`).set('Accept', 'text/html').expect(403);
    await save(agent, latchkey, { orgKeyManagerRoles: ['Owner', 'Admin', 'Member'] });
    const res = await submitForm(memberAgent, `/orgs/${org.id}/keys/new`, `/orgs/${org.id}/keys`, {
      displayName: 'member key',
      expiry: '1m',
    });
    expect(res.status).toBe(303);
  });

  it('caps the active keys per user and per org', async () => {
    const { agent, latchkey, user, org, endUser } = await setup();
    await save(agent, latchkey, { maxKeysPerUser: 1, maxKeysPerOrg: 1 });
    const res = await submitForm(endUser, '/keys/new', '/keys', {
      displayName: 'second',
      expiry: '1m',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('maximum of 1 active API key');
    await expect(latchkey.createApiKey({ orgId: org.id, userId: user.id })).rejects.toMatchObject({
      code: 'limit_reached',
    });
    await save(agent, latchkey, { maxKeysPerUser: 0, maxKeysPerOrg: 0 });
    await latchkey.createApiKey({ orgId: org.id, userId: user.id });
  });

  it('gives new keys the new token prefix while old keys keep working', async () => {
    const { app, agent, latchkey, user, personal } = await setup();
    await save(agent, latchkey, { tokenPrefix: 'acme' });
    const created = await latchkey.createApiKey({ userId: user.id });
    expect(created.apiKeyToken).toMatch(/^acme_/);
    await whoami(app, created.apiKeyToken).expect(200);
    await whoami(app, personal).expect(200);
  });

  it('records each change in the audit log under the admin who made it', async () => {
    const { agent, latchkey, admin } = await signedInAdmin();
    await save(agent, latchkey, { selfSignupEnabled: true, maxKeysPerUser: 5 });
    const { items } = await latchkey.store.listAudit(
      { action: 'settings.updated' },
      { limit: 5, offset: 0 },
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      actor: `admin:${admin.id}`,
      details: { selfSignupEnabled: true, maxKeysPerUser: 5 },
    });
  });

  describe('refuses invalid settings, names the field, saves nothing and keeps what was typed', () => {
    const cases: [string, Partial<Record<keyof Settings, unknown>>, keyof Settings, string][] = [
      ['no expiry choice left', { expiryChoices: [] }, 'expiryChoices', 'offer at least one'],
      [
        'a default not among the choices',
        { expiryChoices: ['1m'], defaultExpiry: '1y' },
        'defaultExpiry',
        'must be one of the offered',
      ],
      [
        'a prefix with characters outside a-z0-9',
        { tokenPrefix: 'Ac-me' },
        'tokenPrefix',
        '1-12 characters',
      ],
      [
        'a prefix over 12 characters',
        { tokenPrefix: 'abcdefghijklm' },
        'tokenPrefix',
        '1-12 characters',
      ],
      ['a negative max per user', { maxKeysPerUser: -1 }, 'maxKeysPerUser', 'must not be negative'],
      ['a negative max per org', { maxKeysPerOrg: -3 }, 'maxKeysPerOrg', 'must not be negative'],
      ['a max that is not a number', { maxKeysPerUser: 'lots' }, 'maxKeysPerUser', 'whole number'],
    ];
    it.each(cases)('%s', async (_name, changes, field, message) => {
      const { agent, latchkey } = await signedInAdmin();
      const before = await latchkey.store.getSettings();
      const form = formFor(latchkey.getSettings(), { ...changes, selfSignupEnabled: true });
      const html = await postRaw(agent, form, 'text/html');
      expect(html.status).toBe(400);
      expect(html.text).toContain(`href="#field-${field}"`);
      expect(html.text).toContain(message);
      // The form comes back as typed, not as saved.
      expect(html.text).toMatch(/name="selfSignupEnabled" value="on"\s+checked/);
      if (typeof changes.tokenPrefix === 'string')
        expect(html.text).toContain(`value="${changes.tokenPrefix}"`);
      expect(await latchkey.store.getSettings()).toEqual(before);
      expect(latchkey.getSettings()).toEqual(before);

      const json = await postRaw(agent, form, 'application/json');
      expect(json.status).toBe(400);
      expect(json.body.error).toBe('invalid_input');
      expect(Object.keys(json.body.fields)).toContain(field);
    });
  });
});
