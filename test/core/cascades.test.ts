import type { SqliteStore } from '../../src/store/sqlite';
import { makeLatchkey } from '../support/harness';
import { aWorld } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

let lk: Lk;
beforeEach(async () => {
  lk = await makeLatchkey();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await lk.close();
});

const archivedIds = async (query: Parameters<Lk['listApiKeys']>[0] = {}) =>
  (await lk.listApiKeys({ ...query, archived: true, pageSize: 100 })).keys.map((k) => k.id).sort();

describe('deleting a user', () => {
  it('archives their personal keys and nobody else’s', async () => {
    const { user, org } = await aWorld(lk);
    const other = await lk.createUser({ email: 'other@example.com' });
    const mine = await lk.createApiKey({ userId: user.id });
    const theirs = await lk.createApiKey({ userId: other.id });
    const orgKey = await lk.createApiKey({ orgId: org.id, userId: user.id });

    const { archivedKeyIds } = await lk.deleteUser(user.id);

    expect(archivedKeyIds).toEqual([mine.apiKeyId]);
    expect(await archivedIds()).toEqual([mine.apiKeyId]);
    expect((await lk.validateApiKey(mine.apiKeyToken)).valid).toBe(false);
    expect((await lk.validateApiKey(theirs.apiKeyToken)).valid).toBe(true);
    // The leave rule is off by default, so the org key they made keeps working.
    expect((await lk.validateApiKey(orgKey.apiKeyToken)).valid).toBe(true);
  });

  it('also archives the org keys they created when the leave rule is on', async () => {
    const { user, org } = await aWorld(lk);
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const orgKey = await lk.createApiKey({ orgId: org.id, userId: user.id });
    const { archivedKeyIds } = await lk.deleteUser(user.id);
    expect(archivedKeyIds).toEqual([orgKey.apiKeyId]);
    expect((await lk.validateApiKey(orgKey.apiKeyToken)).valid).toBe(false);
  });

  it('keeps archived keys listable, and their user id, after the user is gone', async () => {
    const { user } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    await lk.deleteUser(user.id);
    const fetched = await lk.fetchApiKey(key.apiKeyId);
    expect(fetched.archivedAt).not.toBeNull();
    expect(fetched.userId).toBe(user.id);
  });
});

describe('deleting an org', () => {
  it('archives every key of the org, whoever created it, and no other key', async () => {
    const { user, org } = await aWorld(lk);
    const otherOrg = await lk.createOrg({ name: 'Other' });
    const a = await lk.createApiKey({ orgId: org.id, userId: user.id });
    const b = await lk.createApiKey({ orgId: org.id });
    const elsewhere = await lk.createApiKey({ orgId: otherOrg.id });
    const personal = await lk.createApiKey({ userId: user.id });

    const { archivedKeyIds } = await lk.deleteOrg(org.id);

    expect(archivedKeyIds.sort()).toEqual([a.apiKeyId, b.apiKeyId].sort());
    for (const k of [a, b]) expect((await lk.validateApiKey(k.apiKeyToken)).valid).toBe(false);
    for (const k of [elsewhere, personal])
      expect((await lk.validateApiKey(k.apiKeyToken)).valid).toBe(true);
  });

  it('drops the org from its members’ orgIdToOrgInfo', async () => {
    const { user, org } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    await lk.deleteOrg(org.id);
    const result = await lk.validatePersonalApiKey(key.apiKeyToken);
    if (!result.valid) throw new Error(result.reason);
    expect(result.apiKey.user.orgIdToOrgInfo).toEqual({});
  });
});

describe('removing a member', () => {
  async function memberWithKeys() {
    const { user, org } = await aWorld(lk);
    const colleague = await lk.createUser({ email: 'colleague@example.com' });
    await lk.addUserToOrg(org.id, colleague.id, 'Owner');
    const theirs = await lk.createApiKey({ orgId: org.id, userId: user.id });
    const colleagues = await lk.createApiKey({ orgId: org.id, userId: colleague.id });
    const personal = await lk.createApiKey({ userId: user.id });
    return { user, org, theirs, colleagues, personal };
  }

  it('archives the org keys they created when the leave rule is on', async () => {
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const { user, org, theirs, colleagues, personal } = await memberWithKeys();
    const { archivedKeyIds } = await lk.removeUserFromOrg(org.id, user.id);
    expect(archivedKeyIds).toEqual([theirs.apiKeyId]);
    expect((await lk.validateApiKey(theirs.apiKeyToken)).valid).toBe(false);
    expect((await lk.validateApiKey(colleagues.apiKeyToken)).valid).toBe(true);
    expect((await lk.validateApiKey(personal.apiKeyToken)).valid).toBe(true);
  });

  it('archives nothing when the leave rule is off', async () => {
    const { user, org, theirs } = await memberWithKeys();
    const { archivedKeyIds } = await lk.removeUserFromOrg(org.id, user.id);
    expect(archivedKeyIds).toEqual([]);
    expect(await archivedIds()).toEqual([]);
    expect((await lk.validateApiKey(theirs.apiKeyToken)).valid).toBe(true);
  });

  it('leaves their keys in other orgs alone', async () => {
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const { user, org } = await aWorld(lk);
    const second = await lk.createOrg({ name: 'Second' });
    await lk.addUserToOrg(second.id, user.id, 'Member');
    const inSecond = await lk.createApiKey({ orgId: second.id, userId: user.id });
    await lk.removeUserFromOrg(org.id, user.id);
    expect((await lk.validateApiKey(inSecond.apiKeyToken)).valid).toBe(true);
  });

  it('fails with not_found for someone who is not a member, changing nothing', async () => {
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const { user, org, theirs, colleagues } = await memberWithKeys();
    const outsider = await lk.createUser({ email: 'outsider@example.com' });
    await expect(lk.removeUserFromOrg(org.id, outsider.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await lk.fetchUsersInOrg(org.id)).total).toBe(2);
    expect(await lk.store.findMembership(user.id, org.id)).not.toBeNull();
    expect(await archivedIds()).toEqual([]);
    for (const k of [theirs, colleagues])
      expect((await lk.validateApiKey(k.apiKeyToken)).valid).toBe(true);
  });
});

describe('atomicity', () => {
  // The SQLite adapter runs each cascade in one transaction; a failure in the
  // archive step must roll back the delete that caused it.
  function failArchiveUpdates(store: SqliteStore) {
    store.db.exec(`CREATE TRIGGER fail_archive BEFORE UPDATE OF archived_at ON api_keys
      BEGIN SELECT RAISE(ABORT, 'archive failed'); END`);
  }

  it('a user delete whose key archive fails leaves the user, memberships and keys as they were', async () => {
    const { user, org } = await aWorld(lk);
    const key = await lk.createApiKey({ userId: user.id });
    failArchiveUpdates(lk.store as SqliteStore);
    await expect(lk.deleteUser(user.id)).rejects.toMatchObject({ message: 'archive failed' });
    expect((await lk.fetchUser(user.id)).id).toBe(user.id);
    expect(await lk.store.findMembership(user.id, org.id)).not.toBeNull();
    expect((await lk.fetchApiKey(key.apiKeyId)).archivedAt).toBeNull();
    expect((await lk.validateApiKey(key.apiKeyToken)).valid).toBe(true);
  });

  it('an org delete whose key archive fails leaves the org, memberships and keys as they were', async () => {
    const { user, org } = await aWorld(lk);
    const key = await lk.createApiKey({ orgId: org.id });
    failArchiveUpdates(lk.store as SqliteStore);
    await expect(lk.deleteOrg(org.id)).rejects.toMatchObject({ message: 'archive failed' });
    expect((await lk.fetchOrg(org.id)).id).toBe(org.id);
    expect(await lk.store.findMembership(user.id, org.id)).not.toBeNull();
    expect((await lk.fetchApiKey(key.apiKeyId)).archivedAt).toBeNull();
  });

  it('a member removal whose key archive fails leaves the membership in place', async () => {
    await lk.updateSettings({ revokeOrgKeysWhenCreatorLeaves: true });
    const { user, org } = await aWorld(lk);
    const key = await lk.createApiKey({ orgId: org.id, userId: user.id });
    failArchiveUpdates(lk.store as SqliteStore);
    await expect(lk.removeUserFromOrg(org.id, user.id)).rejects.toMatchObject({
      message: 'archive failed',
    });
    expect(await lk.store.findMembership(user.id, org.id)).not.toBeNull();
    expect((await lk.fetchApiKey(key.apiKeyId)).archivedAt).toBeNull();
  });
});

describe('a key created while its owner goes', () => {
  // createApiKey checks the owner, then inserts: the store checks again with the insert,
  // so a cascade landing in between cannot leave a current key for an owner that is gone.
  function cascadeBeforeInsert(cascade: () => Promise<unknown>) {
    const insertKey = lk.store.insertKey.bind(lk.store);
    jest.spyOn(lk.store, 'insertKey').mockImplementation(async (...args) => {
      await cascade();
      return insertKey(...args);
    });
  }
  const storedKeys = async (query: Parameters<Lk['listApiKeys']>[0]) =>
    (await lk.listApiKeys({ ...query, pageSize: 100 })).keys;

  it('is refused, naming userId, when the user is deleted meanwhile', async () => {
    const { user } = await aWorld(lk);
    cascadeBeforeInsert(() => lk.deleteUser(user.id));
    await expect(lk.createApiKey({ userId: user.id })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { userId: ['no user has this id'] },
    });
    expect(await storedKeys({ userId: user.id })).toEqual([]);
  });

  it('is refused, naming orgId, when the org is deleted meanwhile', async () => {
    const { user, org } = await aWorld(lk);
    cascadeBeforeInsert(() => lk.deleteOrg(org.id));
    await expect(lk.createApiKey({ orgId: org.id, userId: user.id })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { orgId: ['no organization has this id'] },
    });
    expect(await storedKeys({ orgId: org.id })).toEqual([]);
  });

  it('is refused when its creator leaves the org meanwhile', async () => {
    const { user, org } = await aWorld(lk);
    cascadeBeforeInsert(() => lk.removeUserFromOrg(org.id, user.id));
    await expect(lk.createApiKey({ orgId: org.id, userId: user.id })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { userId: ['the user is not a member of this organization'] },
    });
    expect(await storedKeys({ orgId: org.id })).toEqual([]);
  });
});
