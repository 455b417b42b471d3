import { makeLatchkey, type TestLatchkey } from '../support/harness';

const PASSWORD = 'correct horse battery';

describe('sign-in through the core', () => {
  let lk: TestLatchkey;
  beforeEach(async () => {
    lk = await makeLatchkey();
  });
  afterEach(() => lk.close());

  it('finds a user only by the right email and password', async () => {
    const user = await lk.createUser({ email: 'ada@example.com', password: PASSWORD });
    await lk.createUser({ email: 'nopass@example.com' });
    expect((await lk.verifyUserSignIn(' ADA@example.com ', PASSWORD))?.id).toBe(user.id);
    expect(await lk.verifyUserSignIn('ada@example.com', 'wrong password')).toBeNull();
    expect(await lk.verifyUserSignIn('nobody@example.com', PASSWORD)).toBeNull();
    expect(await lk.verifyUserSignIn('nopass@example.com', PASSWORD)).toBeNull();
  });

  it('records a sign-in: lastActiveAt moves and the audit log names who and from where', async () => {
    const user = await lk.createUser({ email: 'ada@example.com', password: PASSWORD });
    await lk.store.updateUser(user.id, { lastActiveAt: 1 });
    const signedIn = await lk.recordSignIn(user.id, { actor: `user:${user.id}`, ip: '10.0.0.1' });
    expect(signedIn.lastActiveAt).toBeGreaterThan(1);
    const { items } = await lk.listAuditEvents({ action: 'user.signed_in' });
    expect(items).toMatchObject([{ actor: `user:${user.id}`, targetId: user.id, ip: '10.0.0.1' }]);
  });

  it('refuses to record a sign-in for an unknown user', async () => {
    await expect(lk.recordSignIn('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('signs an admin in with lastLoginAt set and audited, and nobody else', async () => {
    const admin = await lk.createAdmin({ email: 'root@example.com', password: PASSWORD });
    expect(admin.lastLoginAt).toBeNull();
    expect(await lk.verifyAdminSignIn('root@example.com', 'wrong password')).toBeNull();
    expect(await lk.verifyAdminSignIn('other@example.com', PASSWORD)).toBeNull();
    const signedIn = await lk.verifyAdminSignIn('root@example.com', PASSWORD);
    expect(signedIn?.lastLoginAt).not.toBeNull();
    expect(signedIn).not.toHaveProperty('passwordHash');
    const { items } = await lk.listAuditEvents({ actor: `admin:${admin.id}` });
    expect(items.map((e) => e.action)).toEqual(['admin.signed_in']);
  });
});
