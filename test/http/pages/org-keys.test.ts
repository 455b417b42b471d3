import request from 'supertest';
import type { OrgRole } from '../../../src/core/types';
import { makeApp } from '../../support/harness';
import {
  aUserWithPassword,
  formTokens,
  shownToken,
  signedInAgent,
  submitForm,
} from '../../support/pages';

async function setup(role: OrgRole = 'Admin') {
  const { app, latchkey } = await makeApp();
  const user = await aUserWithPassword(latchkey);
  const org = await latchkey.createOrg({ name: 'Acme' });
  await latchkey.addUserToOrg(org.id, user.id, role);
  const agent = await signedInAgent(app, user.email);
  return { app, latchkey, user, org, agent, keysPath: `/orgs/${org.id}/keys` };
}

describe('Org API keys page', () => {
  it('lets an org admin create an org key, see its token once and use it', async () => {
    const { app, agent, org, user, keysPath } = await setup('Admin');
    const created = await submitForm(agent, `${keysPath}/new`, keysPath, {
      displayName: 'CI',
      expiry: '3m',
    });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe(keysPath);
    const page = await agent.get(keysPath).expect(200);
    const token = shownToken(page.text);
    const whoami = await request(app)
      .post('/api/whoami')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(whoami.body.org.orgId).toBe(org.id);
    expect(whoami.body.user.userId).toBe(user.id);
    expect(page.text).toContain(user.email);
    expect(shownToken((await agent.get(keysPath)).text)).toBeNull();
    expect(shownToken((await agent.get('/keys')).text)).toBeNull();
  });

  it('shows a plain member the keys read-only and tells them why', async () => {
    const { agent, latchkey, org, keysPath } = await setup('Member');
    await latchkey.createApiKey({ orgId: org.id, displayName: 'shared key' });
    const page = await agent.get(keysPath).expect(200);
    expect(page.text).toContain('shared key');
    expect(page.text).toContain(
      'Your role in Acme (Member) can see these keys but not create or revoke them.',
    );
    expect(page.text).not.toContain(`${keysPath}/new`);
    expect(page.text).not.toContain('/revoke');
  });

  it('refuses create and revoke from a member without the permission and changes nothing', async () => {
    const { agent, latchkey, org, keysPath } = await setup('Member');
    const { apiKeyId } = await latchkey.createApiKey({ orgId: org.id, displayName: 'shared key' });
    await agent.get(`${keysPath}/new`).expect(403);
    await agent.get(`${keysPath}/${apiKeyId}/revoke`).expect(403);
    const tokens = formTokens((await agent.get(keysPath)).text);
    const create = await agent
      .post(keysPath)
      .type('form')
      .send({ ...tokens, displayName: 'sneaky', expiry: '1m' })
      .expect(403);
    expect(create.text).toContain('can see these keys but not create or revoke them');
    await agent.post(`${keysPath}/${apiKeyId}/revoke`).type('form').send(tokens).expect(403);
    const { keys } = await latchkey.listApiKeys({ orgId: org.id });
    expect(keys.map((k) => [k.displayName, k.archivedAt])).toEqual([['shared key', null]]);
  });

  it('follows the admin’s choice of manager roles on the next load', async () => {
    const { agent, latchkey, keysPath } = await setup('Member');
    await agent.get(`${keysPath}/new`).expect(403);
    await latchkey.updateSettings({ orgKeyManagerRoles: ['Owner', 'Admin', 'Member'] });
    await agent.get(`${keysPath}/new`).expect(200);
    await latchkey.updateSettings({ orgKeyManagerRoles: ['Owner'] });
    await agent.get(`${keysPath}/new`).expect(403);
  });

  it('answers 404 for an org the user is not in, as for one that does not exist', async () => {
    const { agent, latchkey } = await setup('Owner');
    const other = await latchkey.createOrg({ name: 'Other' });
    const { apiKeyId } = await latchkey.createApiKey({ orgId: other.id });
    const theirs = await agent.get(`/orgs/${other.id}/keys`).expect(404);
    const missing = await agent
      .get(`/orgs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/keys`)
      .expect(404);
    expect(theirs.text).toContain('Organization not found.');
    expect(missing.text).toContain('Organization not found.');
    await agent.get(`/orgs/${other.id}/keys/${apiKeyId}/revoke`).expect(404);
    await agent.get('/orgs/not-a-uuid/keys').expect(404);
  });

  it('answers 404 for another org’s key, a personal key or a generic key in this org’s URL', async () => {
    const { agent, latchkey, user, keysPath } = await setup('Owner');
    const other = await latchkey.createOrg({ name: 'Other' });
    const ids = [
      (await latchkey.createApiKey({ orgId: other.id })).apiKeyId,
      (await latchkey.createApiKey({ userId: user.id })).apiKeyId,
      (await latchkey.createApiKey({})).apiKeyId,
    ];
    for (const id of ids) {
      await agent.get(`${keysPath}/${id}/revoke`).expect(404);
      await agent
        .post(`${keysPath}/${id}/revoke`)
        .type('form')
        .send(formTokens((await agent.get(keysPath)).text))
        .expect(404);
      expect((await latchkey.fetchApiKey(id)).archivedAt).toBeNull();
    }
  });

  it('lets an org owner revoke an org key after confirming', async () => {
    const { app, agent, latchkey, org, keysPath } = await setup('Owner');
    const { apiKeyId, apiKeyToken } = await latchkey.createApiKey({
      orgId: org.id,
      displayName: 'old',
    });
    const confirm = await agent.get(`${keysPath}/${apiKeyId}/revoke`).expect(200);
    await agent
      .post(`${keysPath}/${apiKeyId}/revoke`)
      .type('form')
      .send(formTokens(confirm.text))
      .expect(303);
    await request(app)
      .post('/api/whoami')
      .set('Authorization', `Bearer ${apiKeyToken}`)
      .expect(401);
    expect((await latchkey.fetchApiKey(apiKeyId)).archivedAt).not.toBeNull();
  });

  it('enforces the maximum number of org keys with a clear message', async () => {
    const { agent, latchkey, org, keysPath } = await setup('Owner');
    await latchkey.updateSettings({ maxKeysPerOrg: 1 });
    await latchkey.createApiKey({ orgId: org.id });
    const res = await submitForm(agent, `${keysPath}/new`, keysPath, {
      displayName: 'more',
      expiry: '1m',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('This organization already has the maximum of 1 active API key');
  });

  it('hides org pages and refuses their forms when org keys are turned off', async () => {
    const { agent, latchkey, keysPath } = await setup('Owner');
    const form = await agent.get(`${keysPath}/new`).expect(200);
    await latchkey.updateSettings({ orgKeysEnabled: false });
    await agent.get(keysPath).expect(404);
    await agent.get('/orgs').expect(404);
    await agent
      .post(keysPath)
      .type('form')
      .send({ ...formTokens(form.text), displayName: 'x', expiry: '1m' })
      .expect(404);
    expect((await agent.get('/keys')).text).not.toContain('Organization API keys</a>');
  });

  it('offers an org picker to a member of several orgs', async () => {
    const { agent, latchkey, user, org } = await setup('Owner');
    const second = await latchkey.createOrg({ name: 'Beta & Co' });
    await latchkey.addUserToOrg(second.id, user.id, 'Member');
    const list = await agent.get('/orgs').expect(200);
    expect(list.text).toContain(`/orgs/${org.id}/keys`);
    expect(list.text).toContain('Beta &amp; Co');
    const page = await agent.get(`/orgs/${org.id}/keys`);
    expect(page.text).toContain('<label for="org-picker">Organization</label>');
    const go = await agent.get(`/orgs/go?orgId=${second.id}`).expect(303);
    expect(go.headers.location).toBe(`/orgs/${second.id}/keys`);
    expect((await agent.get('/orgs/go?orgId=nonsense').expect(303)).headers.location).toBe('/orgs');
  });

  it('goes straight to the only org’s keys', async () => {
    const { agent, keysPath } = await setup('Owner');
    expect((await agent.get('/orgs').expect(303)).headers.location).toBe(keysPath);
  });
});
