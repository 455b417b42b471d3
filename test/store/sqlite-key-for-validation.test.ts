import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { keyToValidate, userToValidate } from '../../src/core/store';
import { aKey, aMembership, anOrg, aUser } from '../support/fixtures';

let store: SqliteStore;
beforeEach(() => {
  store = createSqliteStore(':memory:');
});
afterEach(() => store.close());

const read = (digest: string) => store.findKeyForValidationSync(digest);

/** SQLite packs the validation read into one JSON array: every value must come back as stored. */
describe('the SQLite validation read', () => {
  it('gives back text of any kind and integers exactly as stored', async () => {
    const awkward = 'quote " back\\slash \n tab\t nul\u0000 é 漢字 😀 </script> \u2028';
    const user = aUser({
      pictureUrl: awkward,
      email: `${awkward}@example.com`,
      createdAt: 2 ** 40,
    });
    const org = anOrg({ name: awkward, metadata: { [awkward]: [awkward, -1.5, 2 ** 53 - 1] } });
    await store.insertUser(user);
    await store.insertOrg(org);
    const membership = aMembership(user, org);
    await store.upsertMembership(membership);
    const { key } = aKey({
      kind: 'org',
      orgId: org.id,
      userId: user.id,
      metadata: { note: awkward, nested: { list: [null, true, 0] } },
      expiresAt: 2 ** 31 + 7,
    });
    expect(await store.insertKey(key, 0, 1)).toBe('inserted');
    expect(read(key.digest)).toEqual({
      key: keyToValidate(key),
      user: userToValidate(user),
      org,
      memberships: [{ membership, org }],
    });
  });

  it('reads each flag of the user from its own column', async () => {
    const flags = [
      'emailConfirmed',
      'locked',
      'enabled',
      'mfaEnabled',
      'canCreateOrgs',
      'updatePasswordRequired',
      'hasPassword',
    ] as const;
    const allOff = Object.fromEntries(flags.map((flag) => [flag, false]));
    for (const on of flags) {
      const user = aUser({
        emailConfirmed: on === 'emailConfirmed',
        locked: on === 'locked',
        enabled: on === 'enabled',
        mfaEnabled: on === 'mfaEnabled',
        canCreateOrgs: on === 'canCreateOrgs',
        updatePasswordRequired: on === 'updatePasswordRequired',
        passwordHash: on === 'hasPassword' ? 'hash' : null,
        createdAt: 1000,
        lastActiveAt: 2000,
      });
      await store.insertUser(user);
      const { key } = aKey({ kind: 'personal', userId: user.id, expiresAt: 3000 });
      await store.insertKey(key, 0, 1);
      await store.archiveKey(key.id, 4000);
      const read = store.findKeyForValidationSync(key.digest);
      expect(read?.user).toMatchObject({
        ...allOff,
        [on]: true,
        createdAt: 1000,
        lastActiveAt: 2000,
      });
      expect(read?.key).toMatchObject({ expiresAt: 3000, archivedAt: 4000, imported: false });
    }
  });

  it('reads each membership once and leaves out one whose org row is gone', async () => {
    const user = aUser();
    const [first, second] = [anOrg({ name: 'First' }), anOrg({ name: 'Second' })];
    await store.insertUser(user);
    for (const org of [first, second]) await store.insertOrg(org);
    const memberships = [
      aMembership(user, second, { joinedAt: 10 }),
      aMembership(user, first, { joinedAt: 20 }),
    ];
    for (const membership of memberships) await store.upsertMembership(membership);
    store.db.prepare("INSERT INTO memberships VALUES (?, 'gone-org', 'Member', 5)").run(user.id);
    const { key } = aKey({ kind: 'org', orgId: first.id, userId: user.id });
    await store.insertKey(key, 0, 1);
    expect(read(key.digest)).toEqual({
      key: keyToValidate(key),
      user: userToValidate(user),
      org: first,
      memberships: [
        { membership: memberships[0], org: second },
        { membership: memberships[1], org: first },
      ],
    });
  });

  it('answers anew once anything it read has changed', async () => {
    const user = aUser();
    const org = anOrg();
    await store.insertUser(user);
    await store.insertOrg(org);
    await store.upsertMembership(aMembership(user, org));
    const { key } = aKey({ kind: 'personal', userId: user.id });
    await store.insertKey(key, 0, 1);
    const changes: [string, ...unknown[]][] = [
      ['UPDATE api_keys SET expires_at = ? WHERE id = ?', 2 ** 40, key.id],
      ['UPDATE users SET locked = 1 WHERE id = ?', user.id],
      ['UPDATE orgs SET name = ? WHERE id = ?', 'Other', org.id],
      ["UPDATE memberships SET role = 'Owner' WHERE org_id = ?", org.id],
    ];
    let before = read(key.digest);
    for (const [sql, ...params] of changes) {
      store.db.prepare(sql).run(...params);
      const after = read(key.digest);
      expect(after).not.toEqual(before);
      expect(after).toEqual(await store.findKeyForValidation(key.digest));
      before = after;
    }
    expect(before).toMatchObject({
      key: { expiresAt: 2 ** 40 },
      user: { locked: true },
      memberships: [{ membership: { role: 'Owner' }, org: { name: 'Other' } }],
    });
    store.db.prepare('DELETE FROM api_keys WHERE id = ?').run(key.id);
    expect(read(key.digest)).toBeNull();
  });
});
