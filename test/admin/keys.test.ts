import { aKey } from '../support/fixtures';
import { aUserWithPassword } from '../support/pages';
import { post, signedInAdmin, whoami } from './support';

async function withKeys() {
  const ctx = await signedInAdmin();
  const { latchkey } = ctx;
  const user = await aUserWithPassword(latchkey);
  const org = await latchkey.createOrg({ name: 'Hooli' });
  await latchkey.addUserToOrg(org.id, user.id, 'Owner');
  const personal = await latchkey.createApiKey({ userId: user.id, displayName: 'personal one' });
  const orgKey = await latchkey.createApiKey({
    orgId: org.id,
    userId: user.id,
    displayName: 'org one',
  });
  const generic = await latchkey.createApiKey({ displayName: 'generic one' });
  const archived = await latchkey.createApiKey({ userId: user.id, displayName: 'old one' });
  await latchkey.archiveApiKey(archived.apiKeyId);
  return { ...ctx, user, org, personal, orgKey, generic, archived };
}

const names = (html: string) =>
  [...html.matchAll(/<td data-label="Name"><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]).sort();

describe('admin keys page', () => {
  it('lists every key of every kind, generic ones included, without any token', async () => {
    const { agent, personal, orgKey, generic } = await withKeys();
    const page = await agent.get('/admin/keys').expect(200);
    expect(names(page.text)).toEqual(['generic one', 'old one', 'org one', 'personal one']);
    for (const k of [personal, orgKey, generic]) expect(page.text).not.toContain(k.apiKeyToken);
  });

  it('shows whom each key belongs to', async () => {
    const { agent, user } = await withKeys();
    const page = await agent.get('/admin/keys?kind=org').expect(200);
    expect(page.text).toContain('>Hooli</a>');
    expect(page.text).toContain(`>${user.email}</a>`);
  });

  it('filters by kind, state, user and org', async () => {
    const { agent, user, org } = await withKeys();
    expect(names((await agent.get('/admin/keys?kind=generic')).text)).toEqual(['generic one']);
    expect(names((await agent.get('/admin/keys?state=archived')).text)).toEqual(['old one']);
    expect(names((await agent.get('/admin/keys?state=current&kind=personal')).text)).toEqual([
      'personal one',
    ]);
    expect(
      names(
        (await agent.get(`/admin/keys?user=${encodeURIComponent(user.email)}&state=current`)).text,
      ),
    ).toEqual(['org one', 'personal one']);
    expect(names((await agent.get(`/admin/keys?org=${org.id}`)).text)).toEqual(['org one']);
    expect(names((await agent.get('/admin/keys?user=nobody@example.com')).text)).toEqual([]);
  });

  it('finds a key by id or by its hint', async () => {
    const { agent, generic } = await withKeys();
    expect(names((await agent.get(`/admin/keys?q=${generic.apiKeyId}`)).text)).toEqual([
      'generic one',
    ]);
    const hint = generic.key.hint.slice(-4);
    expect(names((await agent.get(`/admin/keys?q=${encodeURIComponent(hint)}`)).text)).toContain(
      'generic one',
    );
  });

  it('pages through many keys, keeping the filters in the links', async () => {
    const { agent, latchkey } = await signedInAdmin();
    for (let i = 0; i < 55; i++) await latchkey.createApiKey({ displayName: `bulk ${i}` });
    const first = await agent.get('/admin/keys?kind=generic').expect(200);
    expect(names(first.text)).toHaveLength(50);
    expect(first.text).toContain('Page 1 of 2');
    expect(first.text).toContain('href="/admin/keys?kind=generic&amp;page=2"');
    const second = await agent.get('/admin/keys?kind=generic&page=2').expect(200);
    expect(names(second.text)).toHaveLength(5);
  });

  it('revokes a key after confirmation, and it fails validation at once', async () => {
    const { app, agent, personal } = await withKeys();
    const path = `/admin/keys/${personal.apiKeyId}/revoke`;
    expect((await agent.get(path)).text).toContain('stops working at once');
    expect((await post(agent, path, path)).status).toBe(303);
    await whoami(app, personal.apiKeyToken).expect(401);
  });

  it('shows a key whose stored expiry is past the year 9999 instead of failing', async () => {
    const { agent, latchkey } = await signedInAdmin();
    const { key } = aKey({ displayName: 'far future', expiresAt: 1e13 });
    await latchkey.store.insertKey(key, 0, Math.floor(Date.now() / 1000));
    const list = await agent.get('/admin/keys').expect(200);
    expect(names(list.text)).toEqual(['far future']);
    const page = await agent.get(`/admin/keys/${key.id}`).expect(200);
    expect(page.text).toContain('After the year 9999');
    expect(page.text).toMatch(/name="expiresAt"[^>]*value=""/);
  });

  it('edits the display name, expiry and metadata', async () => {
    const { app, agent, latchkey, generic } = await withKeys();
    const path = `/admin/keys/${generic.apiKeyId}`;
    const res = await post(agent, path, path, {
      displayName: 'renamed',
      expiresAt: '2999-01-31',
      metadata: '{"plan":"pro"}',
    });
    expect(res.status).toBe(303);
    const key = await latchkey.fetchApiKey(generic.apiKeyId);
    expect(key).toMatchObject({
      displayName: 'renamed',
      expiresAt: Date.parse('2999-01-31T00:00:00Z') / 1000,
      metadata: { plan: 'pro' },
    });
    expect((await whoami(app, generic.apiKeyToken).expect(200)).body.metadata).toEqual({
      plan: 'pro',
    });
  });

  it.each([
    ['metadata that is not JSON', { metadata: '{plan: pro' }, 'metadata', 'is not valid JSON'],
    ['metadata that is not an object', { metadata: '[1,2]' }, 'metadata', 'must be a JSON object'],
    ['an expiry in the past', { expiresAt: '2001-01-01' }, 'expiresAt', 'must be in the future'],
    ['an expiry that is not a date', { expiresAt: 'soon' }, 'expiresAt', 'YYYY-MM-DD'],
    ['an empty name', { displayName: ' ' }, 'displayName', 'must not be empty'],
  ])('refuses %s with the field named and changes nothing', async (_n, fields, field, message) => {
    const { agent, latchkey, generic } = await withKeys();
    const before = await latchkey.fetchApiKey(generic.apiKeyId);
    const path = `/admin/keys/${generic.apiKeyId}`;
    const res = await post(agent, path, path, {
      displayName: before.displayName,
      expiresAt: '',
      metadata: '{}',
      ...fields,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain(message);
    expect(await latchkey.fetchApiKey(generic.apiKeyId)).toEqual(before);
  });

  it('does not offer to create keys', async () => {
    const { agent } = await withKeys();
    const page = await agent.get('/admin/keys').expect(200);
    expect(page.text).not.toMatch(/method="post" action="\/admin\/keys"/);
  });
});
