import { aUserWithPassword } from '../support/pages';
import { post, signedInAdmin, whoami } from './support';

async function withOrg() {
  const ctx = await signedInAdmin();
  const org = await ctx.latchkey.createOrg({ name: 'Initech' });
  const member = await aUserWithPassword(ctx.latchkey);
  await ctx.latchkey.addUserToOrg(org.id, member.id, 'Admin');
  const key = await ctx.latchkey.createApiKey({ orgId: org.id, userId: member.id });
  return { ...ctx, org, member, key, page: `/admin/orgs/${org.id}` };
}

describe('admin orgs page', () => {
  it('creates an organization', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/orgs', '/admin/orgs', { name: 'Umbrella' });
    expect(res.status).toBe(303);
    const { items } = await latchkey.listOrgs({ nameContains: 'Umbrella' });
    expect(items).toHaveLength(1);
    expect((await agent.get('/admin/orgs?q=umb')).text).toContain('Umbrella');
  });

  it('refuses an empty name with the field named', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/orgs', '/admin/orgs', { name: '  ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#field-name"');
    expect((await latchkey.listOrgs()).total).toBe(0);
  });

  it('renames an organization', async () => {
    const { agent, latchkey, org, page } = await withOrg();
    expect((await post(agent, page, `${page}/rename`, { name: 'Initrode' })).status).toBe(303);
    expect((await latchkey.fetchOrg(org.id)).name).toBe('Initrode');
  });

  it('states how many keys deleting an organization archives, then archives them', async () => {
    const { app, agent, latchkey, org, key, page } = await withOrg();
    await latchkey.createApiKey({ orgId: org.id });
    expect((await agent.get(`${page}/delete`)).text).toContain('2 org keys will be archived');
    expect((await post(agent, `${page}/delete`, `${page}/delete`)).status).toBe(303);
    expect(await latchkey.store.findOrgById(org.id)).toBeNull();
    await whoami(app, key.apiKeyToken).expect(401);
  });

  it('adds a member by email, changes their role, and lists them', async () => {
    const { agent, latchkey, org, page } = await withOrg();
    const newcomer = await aUserWithPassword(latchkey);
    const added = await post(agent, page, `${page}/members`, {
      email: newcomer.email,
      role: 'Member',
    });
    expect(added.status).toBe(303);
    expect((await latchkey.store.findMembership(newcomer.id, org.id))?.role).toBe('Member');
    await post(agent, page, `${page}/members/${newcomer.id}/role`, { role: 'Owner' });
    expect((await latchkey.store.findMembership(newcomer.id, org.id))?.role).toBe('Owner');
    expect((await agent.get(page)).text).toContain(newcomer.email);
  });

  it('refuses to add an unknown email, naming the field', async () => {
    const { agent, page } = await withOrg();
    const res = await post(agent, page, `${page}/members`, {
      email: 'ghost@example.com',
      role: 'Member',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('no user has this email');
  });

  it('answers 404 to a role change for someone who is not a member, adding nobody', async () => {
    const { agent, latchkey, org, page } = await withOrg();
    const outsider = await aUserWithPassword(latchkey);
    const res = await post(agent, page, `${page}/members/${outsider.id}/role`, { role: 'Owner' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('the user is not a member of this organization');
    expect(await latchkey.store.findMembership(outsider.id, org.id)).toBeNull();
  });

  it('refuses an unknown role and changes nothing', async () => {
    const { agent, latchkey, org, member, page } = await withOrg();
    const res = await post(agent, page, `${page}/members/${member.id}/role`, { role: 'Emperor' });
    expect(res.status).toBe(400);
    expect((await latchkey.store.findMembership(member.id, org.id))?.role).toBe('Admin');
  });

  it('says the member’s org keys keep working when the leave rule is off, and keeps them', async () => {
    const { app, agent, latchkey, org, member, key, page } = await withOrg();
    const confirm = await agent.get(`${page}/members/${member.id}/remove`).expect(200);
    expect(confirm.text).toContain('is off: the 1 org key they created will keep working');
    const remove = `${page}/members/${member.id}/remove`;
    expect((await post(agent, remove, remove)).status).toBe(303);
    expect(await latchkey.store.findMembership(member.id, org.id)).toBeNull();
    await whoami(app, key.apiKeyToken).expect(200);
  });

  it('says the member’s org keys will be archived when the leave rule is on, and archives them', async () => {
    const { app, agent, latchkey, member, key, page } = await withOrg();
    await latchkey.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const remove = `${page}/members/${member.id}/remove`;
    expect((await agent.get(remove)).text).toContain(
      'is on: the 1 org key they created will be archived',
    );
    await post(agent, remove, remove);
    await whoami(app, key.apiKeyToken).expect(401);
  });
});
