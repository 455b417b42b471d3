import { createSqliteStore, type SqliteStore } from '../../src/store/sqlite';
import { REMEMBERED_READS } from '../../src/store/sqlite/key-for-validation';
import { aKey, aMembership, anOrg, aUser } from '../support/fixtures';

let store: SqliteStore;
beforeEach(() => {
  store = createSqliteStore(':memory:');
});
afterEach(() => store.close());

async function aPersonalKey() {
  const user = aUser();
  const org = anOrg();
  await store.insertUser(user);
  await store.insertOrg(org);
  await store.upsertMembership(aMembership(user, org));
  const { key } = aKey({ kind: 'personal', userId: user.id, metadata: { plan: 'free' } });
  expect(await store.insertKey(key, 0, 1)).toBe('inserted');
  return { user, org, key };
}

const read = (digest: string) => store.findKeyForValidationSync(digest);

describe('the SQLite validation read', () => {
  it('reads every time, and answers an unchanged read with the same frozen object', async () => {
    const { key } = await aPersonalKey();
    const first = read(key.digest)!;
    expect(read(key.digest)).toBe(first);
    expect(await store.findKeyForValidation(key.digest)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.key.metadata)).toBe(true);
    expect(Object.isFrozen(first.memberships[0]!.org)).toBe(true);
  });

  it('answers anew once anything it read has changed', async () => {
    const { user, org, key } = await aPersonalKey();
    const changes = [
      () => store.db.prepare('UPDATE api_keys SET display_name = ? WHERE id = ?').run('x', key.id),
      () => store.db.prepare('UPDATE users SET locked = 1 WHERE id = ?').run(user.id),
      () => store.db.prepare('UPDATE orgs SET name = ? WHERE id = ?').run('Other', org.id),
      () => store.db.prepare("UPDATE memberships SET role = 'Owner' WHERE org_id = ?").run(org.id),
    ];
    let last = read(key.digest);
    for (const change of changes) {
      change();
      const now = read(key.digest);
      expect(now).not.toBe(last);
      expect(now).toEqual(await store.findKeyForValidation(key.digest));
      last = now;
    }
    store.db.prepare('DELETE FROM api_keys WHERE id = ?').run(key.id);
    expect(read(key.digest)).toBeNull();
  });

  it(`keeps the last read of at most ${REMEMBERED_READS} digests`, async () => {
    const { user } = await aPersonalKey();
    const digests: string[] = [];
    for (let i = 0; i <= REMEMBERED_READS; i++) {
      const { key } = aKey({ kind: 'personal', userId: user.id });
      await store.insertKey(key, 0, 1);
      digests.push(key.digest);
    }
    const firstRead = read(digests[0]!);
    // REMEMBERED_READS other digests later, the oldest has been let go to make room.
    for (const digest of digests.slice(1)) read(digest);
    const again = read(digests[0]!);
    expect(again).not.toBe(firstRead);
    expect(again).toEqual(firstRead);
    const recent = read(digests.at(-1)!);
    expect(read(digests.at(-1)!)).toBe(recent);
  });
});
