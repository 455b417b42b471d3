import { makeApp } from '../support/harness';
import { aUserWithPassword, formTokens, signedInAgent } from '../support/pages';
import { adminAgent, anAdmin, formFor, post } from '../admin/support';

const SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
  { name: 'billing:admin', description: 'Manage billing', kinds: ['personal' as const] },
];

async function setup() {
  const { app, latchkey } = await makeApp({ scopes: SCOPES });
  const user = await aUserWithPassword(latchkey);
  const org = await latchkey.createOrg({ name: 'Acme' });
  await latchkey.addUserToOrg(org.id, user.id, 'Admin');
  return { app, latchkey, user, org };
}

describe("the admin's limits on which scopes each kind of key may hold", () => {
  it('refuses a scope org keys may not hold, naming scopes, and narrows the default set', async () => {
    const { latchkey, org, user } = await setup();
    await latchkey.updateSettings({ orgKeyScopes: ['projects:read'] });
    await expect(
      latchkey.createApiKey({ orgId: org.id, scopes: ['projects:write'] }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { scopes: [expect.stringContaining('not allowed on org keys')] },
    });
    expect((await latchkey.listApiKeys({ orgId: org.id })).keys).toEqual([]);
    const made = await latchkey.createApiKey({ orgId: org.id });
    expect(made.key.scopes).toEqual(['projects:read']);
    // Personal keys are not limited by the org keys' setting.
    const personal = await latchkey.createApiKey({ userId: user.id, scopes: ['projects:write'] });
    expect(personal.key.scopes).toEqual(['projects:write']);
  });

  it('takes a scope away from existing keys at once when the limit narrows', async () => {
    const { latchkey, org } = await setup();
    const { apiKeyToken } = await latchkey.createApiKey({
      orgId: org.id,
      scopes: ['projects:read', 'projects:write'],
    });
    const before = await latchkey.validateApiKey(apiKeyToken);
    expect(before.valid && before.apiKey.scopes).toEqual(['projects:read', 'projects:write']);
    await latchkey.updateSettings({ orgKeyScopes: ['projects:read'] });
    const after = await latchkey.validateApiKey(apiKeyToken);
    expect(after.valid && after.apiKey.scopes).toEqual(['projects:read']);
    await latchkey.updateSettings({ orgKeyScopes: null });
    const again = await latchkey.validateApiKey(apiKeyToken);
    expect(again.valid && again.apiKey.scopes).toEqual(['projects:read', 'projects:write']);
  });

  it('checks the limit against the declared scopes, and stores "all of them" as null', async () => {
    const { latchkey } = await setup();
    await expect(latchkey.updateSettings({ orgKeyScopes: ['nope'] })).rejects.toMatchObject({
      fields: { orgKeyScopes: [expect.stringContaining('"nope" is not a scope')] },
    });
    await expect(
      latchkey.updateSettings({ orgKeyScopes: ['billing:admin'] }),
    ).rejects.toMatchObject({
      fields: { orgKeyScopes: [expect.stringContaining('cannot be held by org keys')] },
    });
    expect(latchkey.getSettings().orgKeyScopes).toBeNull();
    await latchkey.updateSettings({ orgKeyScopes: ['projects:write', 'projects:read'] });
    expect(latchkey.getSettings().orgKeyScopes).toBeNull();
    await latchkey.updateSettings({ personalKeyScopes: [] });
    expect(latchkey.getSettings().personalKeyScopes).toEqual([]);
  });

  it('never offers an org member a scope the admin keeps from org keys, nor accepts one', async () => {
    const { app, latchkey, org, user } = await setup();
    await latchkey.updateSettings({ orgKeyScopes: ['projects:read'] });
    const agent = await signedInAgent(app, user.email);
    const path = `/orgs/${org.id}/keys`;
    const form = (await agent.get(`${path}/new`).expect(200)).text;
    expect(form).toContain('value="projects:read"');
    expect(form).not.toContain('value="projects:write"');
    const body = new URLSearchParams([
      ...Object.entries(formTokens(form)),
      ['displayName', 'CI'],
      ['expiry', '1m'],
      ['scopesShown', '1'],
      ['scopes', 'projects:write'],
    ]);
    const res = await agent.post(path).type('form').send(body.toString());
    expect(res.status).toBe(400);
    expect(res.text).toContain('not allowed on org keys');
    expect((await latchkey.listApiKeys({ orgId: org.id })).keys).toEqual([]);
  });

  it('is set from the dashboard settings page, audited, every box ticked while unset', async () => {
    const { app, latchkey } = await setup();
    const admin = await anAdmin(latchkey);
    const agent = await adminAgent(app, admin.email);
    const page = (await agent.get('/admin/settings').expect(200)).text;
    expect(page).toContain('Scopes org keys may hold');
    expect(page).toMatch(/name="orgKeyScopes" value="projects:write" checked/);
    expect(page).not.toMatch(/name="orgKeyScopes" value="billing:admin"/);
    const fields = {
      ...formFor(latchkey.getSettings()),
      personalKeyScopes: ['projects:read', 'projects:write', 'billing:admin'],
      orgKeyScopes: ['projects:read'],
    };
    const res = await post(agent, '/admin/settings', '/admin/settings', fields);
    expect(res.status).toBe(303);
    expect(latchkey.getSettings().orgKeyScopes).toEqual(['projects:read']);
    expect(latchkey.getSettings().personalKeyScopes).toBeNull();
    const audit = await latchkey.listAuditEvents({ action: 'settings.updated' });
    expect(audit.items[0]?.details).toMatchObject({ orgKeyScopes: ['projects:read'] });
  });

  it('shows a key’s permissions and allowed addresses on its own hosted page', async () => {
    const { app, latchkey, user } = await setup();
    const { apiKeyId } = await latchkey.createApiKey({
      userId: user.id,
      scopes: ['billing:admin'],
      allowedIps: ['10.0.0.0/8'],
    });
    const agent = await signedInAgent(app, user.email);
    const page = (await agent.get(`/keys/${apiKeyId}`).expect(200)).text;
    expect(page).toMatch(/Permissions<\/dt><dd>billing:admin/);
    expect(page).toMatch(/Allowed IP addresses<\/dt><dd>10\.0\.0\.0\/8/);
  });
});
