import { signedInAdmin } from './support';

const targets = (html: string) =>
  [...html.matchAll(/<td data-target>([\s\S]*?)<\/td>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
const actions = (html: string) =>
  [...html.matchAll(/<td data-action>([a-z_.]+)<\/td>/g)].map((m) => m[1]);

describe('admin audit log by name', () => {
  it('names actors and targets with links, and shows a deleted one as such', async () => {
    const { agent, latchkey, admin } = await signedInAdmin();
    const user = await latchkey.createUser({ email: 'ann@example.com' });
    const org = await latchkey.createOrg({ name: 'Acme' });
    await latchkey.addUserToOrg(org.id, user.id, 'Member');
    const key = await latchkey.createApiKey(
      { userId: user.id, displayName: 'Deploy' },
      { actor: `user:${user.id}`, ip: null },
    );
    const gone = await latchkey.createUser({ email: 'gone@example.com' });
    await latchkey.deleteUser(gone.id, { actor: `admin:${admin.id}`, ip: null });
    const html = (await agent.get('/admin/audit').expect(200)).text;
    expect(targets(html).slice(0, 5)).toEqual([
      `deleted user ${gone.id.slice(0, 8)}…`,
      `deleted user ${gone.id.slice(0, 8)}…`,
      `Deploy (${key.key.hint})`,
      'ann@example.com in Acme',
      'Acme',
    ]);
    expect(html).toContain(`<a href="/admin/keys/${key.apiKeyId}">`);
    expect(html).toContain(
      `<a href="/admin/users/${user.id}"><span title="user:${user.id}">ann@example.com</span></a>`,
    );
    expect(html).toContain(`<a href="/admin/orgs/${org.id}">`);
    expect(html).toContain(`<span title="admin:${admin.id}">admin ${admin.email}</span>`);
    // Details read as name/value pairs, not JSON.
    expect(html).toContain('<div><dt>user</dt><dd>ann@example.com</dd></div>');
    expect(html).toContain('<div><dt>role</dt><dd>Member</dd></div>');
    expect(html).not.toMatch(/\{&#34;|\{"/);
  });

  it('filters by actor email, user email, org name and key id', async () => {
    const { agent, latchkey, admin } = await signedInAdmin();
    const ann = await latchkey.createUser({ email: 'ann@example.com' });
    const bob = await latchkey.createUser({ email: 'bob@example.com' });
    const org = await latchkey.createOrg({ name: 'Acme Labs' });
    await latchkey.addUserToOrg(org.id, ann.id, 'Member');
    const key = await latchkey.createApiKey(
      { userId: bob.id },
      { actor: `user:${bob.id}`, ip: null },
    );
    const get = async (q: string) =>
      actions((await agent.get(`/admin/audit?${q}`).expect(200)).text);
    expect(await get('user=ann%40example.com')).toEqual(['membership.added', 'user.created']);
    expect(await get('org=acme%20labs')).toEqual(['membership.added', 'org.created']);
    expect(await get(`org=acme%20labs&user=${ann.id}`)).toEqual(['membership.added']);
    expect(await get(`key=${key.apiKeyId}`)).toEqual(['key.created']);
    expect(await get('actor=bob%40example.com')).toEqual(['key.created']);
    expect(await get(`actor=${encodeURIComponent(admin.email)}`)).toEqual(['admin.signed_in']);
    const none = await agent.get('/admin/audit?user=nobody%40example.com').expect(200);
    expect(actions(none.text)).toEqual([]);
    expect(none.text).toContain('no user has the email nobody@example.com');
  });

  it('says a page past the end is past the end, with a link to the last page', async () => {
    const { agent, latchkey } = await signedInAdmin();
    for (let i = 0; i < 51; i++) await latchkey.createOrg({ name: `Org ${i}` });
    const res = await agent.get('/admin/audit?action=org.created&page=999').expect(200);
    expect(res.text).toContain('Page 999 is past the end: there are 2 pages.');
    expect(res.text).toContain('href="/admin/audit?action=org.created&amp;page=2"');
  });
});
