import { makeLatchkey } from '../support/harness';
import { aWorld } from '../support/world';

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
