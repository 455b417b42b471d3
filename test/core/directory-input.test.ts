import { makeLatchkey } from '../support/harness';
import { aWorld, dumpDatabase } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

let lk: Lk;
beforeEach(async () => {
  lk = await makeLatchkey();
});
afterEach(async () => {
  await lk.close();
});

describe('bare values are named by what they are', () => {
  it('a bad role names "role" and adds no member', async () => {
    const { org } = await aWorld(lk);
    const other = await lk.createUser({ email: 'other@example.com' });
    await expect(lk.addUserToOrg(org.id, other.id, 'Boss')).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { role: [expect.any(String)] },
    });
    expect(await lk.store.findMembership(other.id, org.id)).toBeNull();
  });

  it('a bad new role names "role" and keeps the old one', async () => {
    const { user, org } = await aWorld(lk);
    await expect(lk.changeUserRoleInOrg(org.id, user.id, 'owner')).rejects.toMatchObject({
      fields: { role: [expect.any(String)] },
    });
    expect((await lk.store.findMembership(user.id, org.id))?.role).toBe('Admin');
  });

  it('a short password names "password" and keeps the old one', async () => {
    const { user } = await aWorld(lk);
    await expect(lk.setUserPassword(user.id, 'short')).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'password: must be at least 8 characters',
      fields: { password: [expect.any(String)] },
    });
    const stored = await lk.fetchUser(user.id);
    expect(await lk.verifyPassword('correct horse battery', stored.passwordHash)).toBe(true);
  });
});

describe('an unknown user, org or membership is not_found naming the field, and changes nothing', () => {
  const UNKNOWN = '00000000-0000-4000-8000-000000000009';
  type Call = (lk: Lk, ids: { userId: string; orgId: string }) => Promise<unknown>;
  const cases: [string, Call, string, string][] = [
    [
      'addUserToOrg, unknown user',
      (l, w) => l.addUserToOrg(w.orgId, UNKNOWN, 'Member'),
      'userId',
      'no user has this id',
    ],
    [
      'addUserToOrg, unknown org',
      (l, w) => l.addUserToOrg(UNKNOWN, w.userId, 'Member'),
      'orgId',
      'no organization has this id',
    ],
    [
      'addUserToOrg, malformed user id',
      (l, w) => l.addUserToOrg(w.orgId, 'ada', 'Member'),
      'userId',
      'no user has this id',
    ],
    [
      'changeUserRoleInOrg, unknown user',
      (l, w) => l.changeUserRoleInOrg(w.orgId, UNKNOWN, 'Owner'),
      'userId',
      'no user has this id',
    ],
    [
      'changeUserRoleInOrg, unknown org',
      (l, w) => l.changeUserRoleInOrg(UNKNOWN, w.userId, 'Owner'),
      'orgId',
      'no organization has this id',
    ],
    [
      'removeUserFromOrg, unknown user',
      (l, w) => l.removeUserFromOrg(w.orgId, UNKNOWN),
      'userId',
      'no user has this id',
    ],
    [
      'removeUserFromOrg, unknown org',
      (l, w) => l.removeUserFromOrg(UNKNOWN, w.userId),
      'orgId',
      'no organization has this id',
    ],
    ['fetchUser', (l) => l.fetchUser(UNKNOWN), 'userId', 'no user has this id'],
    [
      'updateUser',
      (l) => l.updateUser(UNKNOWN, { firstName: 'Ada' }),
      'userId',
      'no user has this id',
    ],
    [
      'setUserPassword',
      (l) => l.setUserPassword(UNKNOWN, 'long enough password'),
      'userId',
      'no user has this id',
    ],
    ['disableUser', (l) => l.disableUser(UNKNOWN), 'userId', 'no user has this id'],
    ['lockUser', (l) => l.lockUser(UNKNOWN), 'userId', 'no user has this id'],
    ['deleteUser', (l) => l.deleteUser(UNKNOWN), 'userId', 'no user has this id'],
    ['fetchOrgsOfUser', (l) => l.fetchOrgsOfUser(UNKNOWN), 'userId', 'no user has this id'],
    ['fetchOrg', (l) => l.fetchOrg(UNKNOWN), 'orgId', 'no organization has this id'],
    [
      'updateOrg',
      (l) => l.updateOrg(UNKNOWN, { name: 'Renamed' }),
      'orgId',
      'no organization has this id',
    ],
    ['deleteOrg', (l) => l.deleteOrg(UNKNOWN), 'orgId', 'no organization has this id'],
    ['fetchUsersInOrg', (l) => l.fetchUsersInOrg(UNKNOWN), 'orgId', 'no organization has this id'],
  ];

  it.each(cases)('%s', async (_name, call, field, message) => {
    const { user, org } = await aWorld(lk);
    const before = dumpDatabase(lk.store);
    const error = await call(lk, { userId: user.id, orgId: org.id }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: 'LatchkeyError',
      code: 'not_found',
      status: 404,
      message: `${field}: ${message}`,
      fields: { [field]: [message] },
    });
    expect(dumpDatabase(lk.store)).toBe(before);
  });

  it.each([
    [
      'changeUserRoleInOrg',
      (l: Lk, userId: string, orgId: string) => l.changeUserRoleInOrg(orgId, userId, 'Owner'),
    ],
    [
      'removeUserFromOrg',
      (l: Lk, userId: string, orgId: string) => l.removeUserFromOrg(orgId, userId),
    ],
  ])('%s of a user who is not a member names userId', async (_name, call) => {
    const { org } = await aWorld(lk);
    const outsider = await lk.createUser({ email: 'outsider@example.com' });
    const before = dumpDatabase(lk.store);
    await expect(call(lk, outsider.id, org.id)).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
      fields: { userId: ['the user is not a member of this organization'] },
    });
    expect(dumpDatabase(lk.store)).toBe(before);
  });

  it('names apiKeyId, integrationKeyId and adminId for unknown keys and admins', async () => {
    const unknownKey = '0'.repeat(32);
    for (const call of [
      () => lk.fetchApiKey(unknownKey),
      () => lk.updateApiKey(unknownKey, { displayName: 'x' }),
      () => lk.archiveApiKey(unknownKey),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'not_found',
        fields: { apiKeyId: ['no API key has this id'] },
      });
    }
    await expect(lk.archiveIntegrationKey(UNKNOWN)).rejects.toMatchObject({
      code: 'not_found',
      fields: { integrationKeyId: [expect.any(String)] },
    });
    await expect(lk.deleteAdmin(UNKNOWN)).rejects.toMatchObject({
      code: 'not_found',
      fields: { adminId: ['no admin has this id'] },
    });
  });
});

describe('user and org lists', () => {
  it('filter by text and page', async () => {
    await lk.createUser({ email: 'ada@example.com' });
    await lk.createUser({ email: 'grace@example.com' });
    await lk.createOrg({ name: 'Acme' });
    expect((await lk.listUsers({ emailContains: 'ADA' })).items.map((u) => u.email)).toEqual([
      'ada@example.com',
    ]);
    expect((await lk.listUsers({}, { pageSize: 1 })).items).toHaveLength(1);
    expect((await lk.listOrgs({ nameContains: 'cm' })).total).toBe(1);
  });

  it('refuse a filter that is not text, naming it', async () => {
    await expect(lk.listUsers({ emailContains: {} as never })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { emailContains: [expect.any(String)] },
    });
    await expect(lk.listOrgs({ nameContains: 5 as never })).rejects.toMatchObject({
      fields: { nameContains: [expect.any(String)] },
    });
  });

  it('treat a null page or filter as none', async () => {
    await expect(lk.listUsers(null as never, null as never)).resolves.toMatchObject({ total: 0 });
    await expect(lk.listApiKeys(null as never)).resolves.toMatchObject({ total: 0 });
  });
});
