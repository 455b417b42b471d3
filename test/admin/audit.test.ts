import { post, signedInAdmin, whoami } from './support';
import { aUserWithPassword } from '../support/pages';

const actions = (html: string) =>
  [...html.matchAll(/<td data-action>([a-z_.]+)<\/td>/g)].map((m) => m[1]);

describe('admin audit log page', () => {
  it('lists who did what, newest first, with the admin and IP', async () => {
    const { agent, admin } = await signedInAdmin();
    await post(agent, '/admin/orgs', '/admin/orgs', { name: 'Wayne' });
    await post(agent, '/admin/users', '/admin/users', { email: 'w@example.com' });
    const page = await agent.get('/admin/audit').expect(200);
    expect(actions(page.text).slice(0, 2)).toEqual(['user.created', 'org.created']);
    expect(page.text).toContain(`title="admin:${admin.id}">admin ${admin.email}</span>`);
    expect(page.text).toMatch(/127\.0\.0\.1|::ffff:127\.0\.0\.1/);
  });

  it('filters by action, target and actor', async () => {
    const { agent, latchkey, admin } = await signedInAdmin();
    const org = await latchkey.createOrg({ name: 'Cyberdyne' });
    await post(agent, '/admin/users', '/admin/users', { email: 'x@example.com' });
    expect(actions((await agent.get('/admin/audit?action=org.created')).text)).toEqual([
      'org.created',
    ]);
    expect(actions((await agent.get(`/admin/audit?target=${org.id}`)).text)).toEqual([
      'org.created',
    ]);
    expect(actions((await agent.get('/admin/audit?targetType=user')).text)).toEqual([
      'user.created',
    ]);
    // Newest first: the user made in the dashboard, then the sign-in that opened it.
    expect(actions((await agent.get(`/admin/audit?actor=admin:${admin.id}`)).text)).toEqual([
      'user.created',
      'admin.signed_in',
    ]);
  });

  it('pages through many events', async () => {
    const { agent, latchkey } = await signedInAdmin();
    for (let i = 0; i < 55; i++) await latchkey.createOrg({ name: `Org ${i}` });
    const first = await agent.get('/admin/audit?action=org.created').expect(200);
    expect(actions(first.text)).toHaveLength(50);
    expect(first.text).toContain('Page 1 of 2');
    expect(actions((await agent.get('/admin/audit?action=org.created&page=2')).text)).toHaveLength(
      5,
    );
  });

  it('never shows a token or a password', async () => {
    const { app, agent, latchkey } = await signedInAdmin();
    const user = await aUserWithPassword(latchkey);
    const key = await latchkey.createApiKey({ userId: user.id });
    await whoami(app, key.apiKeyToken).expect(200);
    await latchkey.setUserPassword(user.id, 'another secret pw');
    await post(agent, '/admin/users', '/admin/users', {
      email: 'p@example.com',
      password: 'typed secret pw',
    });
    await post(agent, '/admin/integration-keys', '/admin/integration-keys', { name: 'svc' });
    const ik = await agent.get('/admin/integration-keys');
    const ikToken = /(lki_[0-9A-Za-z]{49})/.exec(ik.text)![1]!;
    const page = await agent.get('/admin/audit').expect(200);
    for (const secret of [key.apiKeyToken, 'another secret pw', 'typed secret pw', ikToken, '$2b$'])
      expect(page.text).not.toContain(secret);
    expect(actions(page.text)).toContain('user.password_set');
  });
});
