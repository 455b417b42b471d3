import { aUserWithPassword, signedInAgent } from '../support/pages';
import { post, signedInAdmin, whoami } from './support';

describe('admin users page', () => {
  it('searches users by email', async () => {
    const { agent, latchkey } = await signedInAdmin();
    await latchkey.createUser({ email: 'alice@acme.test' });
    await latchkey.createUser({ email: 'bob@other.test' });
    const page = await agent.get('/admin/users?q=acme').expect(200);
    expect(page.text).toContain('alice@acme.test');
    expect(page.text).not.toContain('bob@other.test');
  });

  it('creates a user with a password who can then sign in to the hosted pages', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/users', '/admin/users', {
      email: 'new@example.com',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(303);
    const user = await latchkey.fetchUserByEmail('new@example.com');
    expect(res.headers.location).toBe(`/admin/users/${user!.id}`);
    await signedInAgent(app, 'new@example.com');
  });

  it('creates a user without a password who must set one', async () => {
    const { agent, latchkey } = await signedInAdmin();
    await post(agent, '/admin/users', '/admin/users', {
      email: 'later@example.com',
      passwordRequired: 'on',
    });
    const user = await latchkey.fetchUserByEmail('later@example.com');
    expect(user).toMatchObject({ passwordHash: null, updatePasswordRequired: true });
  });

  it('refuses a bad email with the field named, keeps the typed value and creates nothing', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const res = await post(agent, '/admin/users', '/admin/users', { email: 'nope' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#field-email"');
    expect(res.text).toContain('value="nope"');
    expect((await latchkey.listUsers()).total).toBe(0);
  });

  it('disables and enables a user, and their personal keys follow at once', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const { apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
    const page = `/admin/users/${user.id}`;
    expect((await post(agent, page, `${page}/disable`)).status).toBe(303);
    await whoami(app, apiKeyToken).expect(401);
    expect((await agent.get(page)).text).toContain('Disabled');
    await post(agent, page, `${page}/enable`);
    await whoami(app, apiKeyToken).expect(200);
  });

  it('locks and unlocks a user, and their personal keys follow at once', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const { apiKeyToken } = await latchkey.createApiKey({ userId: user.id });
    const page = `/admin/users/${user.id}`;
    await post(agent, page, `${page}/lock`);
    await whoami(app, apiKeyToken).expect(401);
    await post(agent, page, `${page}/unlock`);
    await whoami(app, apiKeyToken).expect(200);
  });

  it('shows a user’s memberships and keys', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const org = await latchkey.createOrg({ name: 'Globex' });
    await latchkey.addUserToOrg(org.id, user.id, 'Admin');
    const key = await latchkey.createApiKey({ userId: user.id, displayName: 'laptop script' });
    const page = await agent.get(`/admin/users/${user.id}`).expect(200);
    expect(page.text).toContain('Globex');
    expect(page.text).toContain('(Admin)');
    expect(page.text).toContain('laptop script');
    expect(page.text).toContain(key.key.hint);
    expect(page.text).not.toContain(key.apiKeyToken);
  });

  it('states how many personal keys deleting a user archives, then archives them', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const a = await latchkey.createApiKey({ userId: user.id });
    await latchkey.createApiKey({ userId: user.id });
    const confirm = await agent.get(`/admin/users/${user.id}/delete`).expect(200);
    expect(confirm.text).toContain('2 personal keys will be archived');
    const res = await post(
      agent,
      `/admin/users/${user.id}/delete`,
      `/admin/users/${user.id}/delete`,
    );
    expect(res.status).toBe(303);
    expect(await latchkey.store.findUserById(user.id)).toBeNull();
    expect((await latchkey.fetchApiKey(a.apiKeyId)).archivedAt).not.toBeNull();
    await whoami(app, a.apiKeyToken).expect(401);
  });

  it('answers not found for an unknown user id', async () => {
    const { agent } = await signedInAdmin();
    await agent.get('/admin/users/00000000-0000-4000-8000-000000000000').expect(404);
    await agent.get('/admin/users/not-a-uuid').expect(404);
  });
});
