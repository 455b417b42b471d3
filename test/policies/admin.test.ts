import { makeApp } from '../support/harness';
import { adminAgent, anAdmin, post } from '../admin/support';

const SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
];

async function signedIn() {
  const { app, latchkey } = await makeApp({ scopes: SCOPES });
  const admin = await anAdmin(latchkey);
  const agent = await adminAgent(app, admin.email);
  return { latchkey, admin, agent };
}

describe('the dashboard shows and edits a key’s scopes and allowlist', () => {
  it('shows them on the key page', async () => {
    const { latchkey, agent } = await signedIn();
    const { apiKeyId } = await latchkey.createApiKey({
      scopes: ['projects:read'],
      allowedIps: ['10.0.0.0/8'],
    });
    const html = (await agent.get(`/admin/keys/${apiKeyId}`).expect(200)).text;
    expect(html).toContain('<dt>Permissions</dt><dd>projects:read</dd>');
    expect(html).toContain('<dt>Allowed from</dt><dd>10.0.0.0/8</dd>');
    expect(html).toMatch(/value="projects:read" checked/);
    expect(html).not.toMatch(/value="projects:write" checked/);
  });

  it('changes scopes and allowlist, audited with the admin as actor', async () => {
    const { latchkey, agent, admin } = await signedIn();
    const { apiKeyId } = await latchkey.createApiKey({ scopes: ['projects:read'] });
    const page = `/admin/keys/${apiKeyId}`;
    const res = await post(agent, page, page, {
      displayName: 'Generic key',
      metadata: '{}',
      scopesShown: '1',
      scopes: ['projects:read', 'projects:write'],
      allowedIps: '192.0.2.0/24\n2001:db8::1',
    });
    expect(res.status).toBe(303);
    const key = await latchkey.fetchApiKey(apiKeyId);
    expect(key.scopes).toEqual(['projects:read', 'projects:write']);
    expect(key.allowedIps).toEqual(['192.0.2.0/24', '2001:db8::1']);
    const audit = await latchkey.listAuditEvents({ action: 'key.updated' });
    expect(audit.items[0]).toMatchObject({
      actor: `admin:${admin.id}`,
      details: { scopes: ['projects:read', 'projects:write'] },
    });
    await post(agent, page, page, { scopesShown: '1', allowedIps: '' });
    expect(await latchkey.fetchApiKey(apiKeyId)).toMatchObject({ scopes: [], allowedIps: null });
  });

  it('shows a bad address next to its field and changes nothing', async () => {
    const { latchkey, agent } = await signedIn();
    const { apiKeyId } = await latchkey.createApiKey({});
    const page = `/admin/keys/${apiKeyId}`;
    const res = await post(agent, page, page, { allowedIps: '300.1.1.1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('is not an IP address or CIDR range');
    expect((await latchkey.fetchApiKey(apiKeyId)).allowedIps).toBeNull();
  });
});
