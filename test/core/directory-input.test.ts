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
