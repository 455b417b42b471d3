import * as wire from '../../src/http/rest/wire-schemas';
import { makeBackend, shaped, SERVING } from './support';

const UNKNOWN = '00000000-0000-4000-8000-000000000009';

describe.each(SERVING)('backend API: users (%s)', (serving) => {
  let t: Awaited<ReturnType<typeof makeBackend>>;
  beforeEach(async () => {
    t = await makeBackend({ cacheTtlMs: 0 }, serving);
  });
  afterEach(() => t.latchkey.close());

  it('creates a user from PropelAuth fields and fetches them by id and by email', async () => {
    const res = await t.api.post('/user/', {
      email: 'grace@example.com',
      email_confirmed: false,
      password: 'correct horse battery',
      ask_user_to_update_password_on_login: true,
      first_name: 'Grace',
      last_name: 'Hopper',
      username: 'grace',
      properties: { team: 'navy' },
      ignore_domain_restrictions: true,
    });
    expect(res.status).toBe(200);
    const { user_id } = shaped(wire.createdUser, res.body);
    const byId = shaped(wire.userMetadata, (await t.api.get(`/user/${user_id}`)).body);
    expect(byId).toMatchObject({
      user_id,
      email: 'grace@example.com',
      email_confirmed: false,
      has_password: true,
      first_name: 'Grace',
      last_name: 'Hopper',
      username: 'grace',
      properties: { team: 'navy' },
      update_password_required: true,
    });
    expect(byId.org_id_to_org_info).toBeUndefined();
    const byEmail = await t.api.get('/user/email?email=GRACE%40example.com');
    expect(shaped(wire.userMetadata, byEmail.body).user_id).toBe(user_id);
    expect(JSON.stringify(byId)).not.toContain('correct horse');
  });

  it('includes the orgs of a user when include_orgs=true', async () => {
    const user = await t.latchkey.createUser({ email: 'm@example.com' });
    const org = await t.latchkey.createOrg({ name: 'Acme', metadata: { a: 1 } });
    await t.latchkey.addUserToOrg(org.id, user.id, 'Owner');
    const body = shaped(
      wire.userMetadata,
      (await t.api.get(`/user/${user.id}?include_orgs=true`)).body,
    );
    expect(body.org_id_to_org_info?.[org.id]).toMatchObject({
      org_name: 'Acme',
      org_metadata: { a: 1 },
      user_role: 'Owner',
      inherited_user_roles_plus_current_role: ['Owner', 'Admin', 'Member'],
      user_permissions: ['can_manage_api_keys'],
    });
  });

  it('answers 400 naming email when it is taken or not an email, storing nothing', async () => {
    await t.api.post('/user/', { email: 'dup@example.com' }).expect(200);
    expect((await t.api.post('/user/', { email: 'DUP@example.com' })).body).toEqual({
      email: ['a user with this email already exists'],
    });
    const bad = await t.api.post('/user/', { email: 'nope' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['email']);
    expect((await t.latchkey.listUsers()).total).toBe(1);
  });

  it('names properties (not metadata) when user properties are invalid', async () => {
    const res = await t.api.post('/user/', { email: 'p@example.com', properties: { $where: 1 } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['properties']);
  });

  it('refuses to promise a confirmation email Latchkey will not send', async () => {
    const res = await t.api.post('/user/', {
      email: 'e@example.com',
      send_email_to_confirm_email_address: true,
    });
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty('send_email_to_confirm_email_address');
  });

  it('disables and enables a user, which stops and restarts their personal keys', async () => {
    const user = await t.latchkey.createUser({ email: 'd@example.com' });
    const { apiKeyToken } = await t.latchkey.createApiKey({ userId: user.id });
    const validate = () =>
      t.api.post('/end_user_api_keys/validate', { api_key_token: apiKeyToken });
    expect((await t.api.post(`/user/${user.id}/disable`)).status).toBe(200);
    expect((await validate()).body).toEqual({ api_key_token: ["The key's user is disabled."] });
    expect((await t.api.post(`/user/${user.id}/enable`)).status).toBe(200);
    expect((await validate()).status).toBe(200);
  });

  it('deletes a user and archives their keys', async () => {
    const user = await t.latchkey.createUser({ email: 'x@example.com' });
    const { apiKeyId } = await t.latchkey.createApiKey({ userId: user.id });
    expect((await t.api.delete(`/user/${user.id}`)).status).toBe(200);
    expect((await t.api.get(`/user/${user.id}`)).status).toBe(404);
    expect((await t.latchkey.fetchApiKey(apiKeyId)).archivedAt).not.toBeNull();
    expect((await t.api.delete(`/user/${user.id}`)).status).toBe(404);
  });

  it('answers 404 for unknown and malformed user ids and unknown emails', async () => {
    for (const id of [UNKNOWN, 'not-a-uuid']) {
      expect((await t.api.get(`/user/${id}`)).status).toBe(404);
      expect((await t.api.post(`/user/${id}/disable`)).status).toBe(404);
      expect((await t.api.post(`/user/${id}/enable`)).status).toBe(404);
      expect((await t.api.delete(`/user/${id}`)).status).toBe(404);
    }
    expect((await t.api.get('/user/email?email=ghost%40example.com')).status).toBe(404);
  });

  it('lists the members of an org with their role, by page and by role', async () => {
    const org = await t.latchkey.createOrg({ name: 'Acme' });
    const emails = ['a@example.com', 'b@example.com', 'c@example.com'];
    for (const [i, email] of emails.entries()) {
      const user = await t.latchkey.createUser({ email });
      await t.latchkey.addUserToOrg(org.id, user.id, i === 0 ? 'Owner' : 'Member');
    }
    const first = shaped(
      wire.usersInOrgPage,
      (await t.api.get(`/user/org/${org.id}?page_size=2`)).body,
    );
    expect(first).toMatchObject({
      total_users: 3,
      current_page: 0,
      page_size: 2,
      has_more_results: true,
    });
    expect(first.users).toHaveLength(2);
    const past = shaped(
      wire.usersInOrgPage,
      (await t.api.get(`/user/org/${org.id}?page_size=2&page_number=5`)).body,
    );
    expect(past).toMatchObject({ users: [], total_users: 3, has_more_results: false });
    const members = shaped(
      wire.usersInOrgPage,
      (await t.api.get(`/user/org/${org.id}?role=Member`)).body,
    );
    expect(members.total_users).toBe(2);
    expect(members.users.every((u) => u.role_in_org === 'Member')).toBe(true);
    const withOrgs = shaped(
      wire.usersInOrgPage,
      (await t.api.get(`/user/org/${org.id}?include_orgs=true&role=Owner`)).body,
    );
    expect(withOrgs.users[0]?.org_id_to_org_info?.[org.id]?.user_role).toBe('Owner');
    expect((await t.api.get(`/user/org/${UNKNOWN}`)).status).toBe(404);
    expect((await t.api.get(`/user/org/${org.id}?role=King`)).body).toHaveProperty('role');
  });
});

describe('backend API: organizations and memberships', () => {
  let t: Awaited<ReturnType<typeof makeBackend>>;
  beforeEach(async () => {
    t = await makeBackend({ cacheTtlMs: 0 });
  });
  afterEach(() => t.latchkey.close());

  it('creates an org from PropelAuth fields and fetches it', async () => {
    const res = await t.api.post('/org/', {
      name: 'Initech',
      enable_auto_joining_by_domain: false,
      members_must_have_matching_domain: false,
    });
    const created = shaped(wire.createdOrg, res.body);
    expect(created.name).toBe('Initech');
    const org = shaped(wire.organization, (await t.api.get(`/org/${created.org_id}`)).body);
    expect(org).toMatchObject({
      org_id: created.org_id,
      name: 'Initech',
      url_safe_org_slug: 'initech',
    });
  });

  it('refuses domain rules it cannot honour', async () => {
    const res = await t.api.post('/org/', { name: 'X', enable_auto_joining_by_domain: true });
    expect(res.status).toBe(400);
    expect(res.body).toHaveProperty('enable_auto_joining_by_domain');
    expect((await t.latchkey.listOrgs()).total).toBe(0);
  });

  it('adds a member, changes their role and removes them', async () => {
    const org = await t.latchkey.createOrg({ name: 'Acme' });
    const user = await t.latchkey.createUser({ email: 'm@example.com' });
    const ids = { org_id: org.id, user_id: user.id };
    await t.api.post('/org/add_user', { ...ids, role: 'Member', additional_roles: [] }).expect(200);
    await t.api
      .post('/org/change_role', { ...ids, role: 'Admin', additional_roles: [] })
      .expect(200);
    expect(await t.latchkey.fetchOrgsOfUser(user.id)).toEqual([
      expect.objectContaining({ membership: expect.objectContaining({ role: 'Admin' }) }),
    ]);
    await t.api.post('/org/remove_user', ids).expect(200);
    expect(await t.latchkey.fetchOrgsOfUser(user.id)).toEqual([]);
    expect((await t.api.post('/org/remove_user', ids)).status).toBe(404);
    expect((await t.api.post('/org/change_role', { ...ids, role: 'Admin' })).status).toBe(404);
  });

  it('answers 404 for unknown users or orgs in membership changes and 400 for bad roles', async () => {
    const org = await t.latchkey.createOrg({ name: 'Acme' });
    expect(
      (await t.api.post('/org/add_user', { org_id: org.id, user_id: UNKNOWN, role: 'Member' }))
        .status,
    ).toBe(404);
    const user = await t.latchkey.createUser({ email: 'r@example.com' });
    const bad = await t.api.post('/org/add_user', {
      org_id: org.id,
      user_id: user.id,
      role: 'King',
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['role']);
    const extra = await t.api.post('/org/add_user', {
      org_id: org.id,
      user_id: user.id,
      role: 'Member',
      additional_roles: ['Admin'],
    });
    expect(extra.status).toBe(400);
    expect(await t.latchkey.fetchOrgsOfUser(user.id)).toEqual([]);
  });

  it('names the unknown id in the 404 of a membership change, by its wire name', async () => {
    const org = await t.latchkey.createOrg({ name: 'Acme' });
    const user = await t.latchkey.createUser({ email: 'r@example.com' });
    const cases: [string, Record<string, string>, string][] = [
      [
        '/org/add_user',
        { org_id: org.id, user_id: UNKNOWN, role: 'Member' },
        'user_id: no user has this id',
      ],
      [
        '/org/add_user',
        { org_id: UNKNOWN, user_id: user.id, role: 'Member' },
        'org_id: no organization has this id',
      ],
      [
        '/org/change_role',
        { org_id: org.id, user_id: user.id, role: 'Admin' },
        'user_id: the user is not a member of this organization',
      ],
      [
        '/org/remove_user',
        { org_id: UNKNOWN, user_id: user.id },
        'org_id: no organization has this id',
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await t.api.post(path, body);
      expect(res.status).toBe(404);
      expect(shaped(wire.errorBody, res.body)).toEqual({ error: 'not_found', message });
    }
    const key = await t.api.get(`/end_user_api_keys/${'0'.repeat(32)}`);
    expect(key.status).toBe(404);
    expect(key.body).toEqual({ error: 'not_found', message: 'api_key_id: no API key has this id' });
  });

  it('deletes an org and archives every key of it', async () => {
    const org = await t.latchkey.createOrg({ name: 'Acme' });
    const { apiKeyId } = await t.latchkey.createApiKey({ orgId: org.id });
    expect((await t.api.delete(`/org/${org.id}`)).status).toBe(200);
    expect((await t.api.get(`/org/${org.id}`)).status).toBe(404);
    expect((await t.latchkey.fetchApiKey(apiKeyId)).archivedAt).not.toBeNull();
    expect((await t.api.delete(`/org/${org.id}`)).status).toBe(404);
    expect((await t.api.get('/org/not-a-uuid')).status).toBe(404);
  });
});
