import request from 'supertest';
import { makeApp } from '../support/harness';
import { aUserWithPassword, formTokens, shownToken, signedInAgent } from '../support/pages';

const SCOPES = [
  { name: 'projects:read', description: 'Read your projects' },
  { name: 'projects:write', description: 'Change your projects' },
  { name: 'billing:admin', description: 'Manage billing', kinds: ['personal' as const] },
];

async function setup() {
  const { app, latchkey } = await makeApp({
    scopes: { scopes: SCOPES, defaultScopes: ['projects:read'] },
  });
  const user = await aUserWithPassword(latchkey);
  const org = await latchkey.createOrg({ name: 'Acme' });
  await latchkey.addUserToOrg(org.id, user.id, 'Admin');
  const agent = await signedInAgent(app, user.email);
  return { app, latchkey, user, org, agent };
}

type Agent = ReturnType<typeof request.agent>;

/** Posts the create form as a browser does: repeated `scopes` fields, one per ticked box. */
async function createWith(agent: Agent, path: string, pairs: [string, string][]) {
  const page = await agent.get(`${path}/new`).expect(200);
  const body = new URLSearchParams([
    ...Object.entries(formTokens(page.text)),
    ['displayName', 'CI'],
    ['expiry', '1m'],
    ...pairs,
  ]);
  return agent.post(path).type('form').send(body.toString());
}

describe('scopes and allowlists on the hosted create form', () => {
  it('offers the scopes a personal key may hold, with descriptions, the default set ticked', async () => {
    const { agent } = await setup();
    const html = (await agent.get('/keys/new').expect(200)).text;
    expect(html).toContain('Read your projects');
    expect(html).toContain('billing:admin');
    expect(html).toMatch(/value="projects:read" checked/);
    expect(html).not.toMatch(/value="projects:write" checked/);
    expect(html).toContain('Allowed IP addresses');
  });

  it('creates a key with the ticked scopes and the allowlist', async () => {
    const { agent, latchkey, app } = await setup();
    const res = await createWith(agent, '/keys', [
      ['scopesShown', '1'],
      ['scopes', 'projects:write'],
      ['scopes', 'billing:admin'],
      ['allowedIps', '127.0.0.1\n10.0.0.0/8'],
    ]);
    expect(res.status).toBe(303);
    const token = shownToken((await agent.get('/keys')).text)!;
    const v = await latchkey.validateApiKey(token, { ip: '10.2.3.4' });
    expect(v.valid && v.apiKey.scopes).toEqual(['projects:write', 'billing:admin']);
    expect((await latchkey.validateApiKey(token, { ip: '192.0.2.1' })).valid).toBe(false);
    await request(app).post('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('lists each key’s permissions on the keys page', async () => {
    const { agent } = await setup();
    await createWith(agent, '/keys', [
      ['scopesShown', '1'],
      ['scopes', 'projects:write'],
    ]);
    const html = (await agent.get('/keys').expect(200)).text;
    expect(html).toContain('<td data-label="Permissions">projects:write</td>');
  });

  it('creates a key with no scopes when every box is unticked', async () => {
    const { agent, latchkey, user } = await setup();
    await createWith(agent, '/keys', [['scopesShown', '1']]);
    const keys = await latchkey.listApiKeys({ userId: user.id });
    expect(keys.keys[0]?.scopes).toEqual([]);
  });

  it('never lets an org member grant an org key a scope org keys may not hold', async () => {
    const { agent, org, latchkey } = await setup();
    const path = `/orgs/${org.id}/keys`;
    const form = (await agent.get(`${path}/new`).expect(200)).text;
    expect(form).not.toContain('billing:admin');
    const res = await createWith(agent, path, [
      ['scopesShown', '1'],
      ['scopes', 'billing:admin'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('cannot be held by org keys');
    expect((await latchkey.listApiKeys({ orgId: org.id })).keys).toEqual([]);
  });

  it('shows a bad address next to the field and keeps the ticked boxes', async () => {
    const { agent } = await setup();
    const res = await createWith(agent, '/keys', [
      ['scopesShown', '1'],
      ['scopes', 'projects:write'],
      ['allowedIps', 'not-an-address'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('is not an IP address or CIDR range');
    expect(res.text).toMatch(/value="projects:write" checked/);
    expect(res.text).not.toMatch(/value="projects:read" checked/);
  });
});
