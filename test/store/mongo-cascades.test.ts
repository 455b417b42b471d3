import { aKey } from '../support/fixtures';
import { scriptedStore } from './mongo-offline';

/**
 * Without transactions (a standalone server) every cascade archives keys first
 * and deletes the owner last, so a run cut short leaves the owner in place and
 * running it again finishes the job. Once the owner is gone it sweeps its keys
 * again, for a key inserted by a caller that still saw the owner.
 */

const keys = (...ids: string[]) => ids.map((_id) => ({ _id }));

/** ApiKey.find as the database answers it: the listed keys, then none once they are archived. */
function currentKeys(...ids: string[]): () => { _id: string }[] {
  let calls = 0;
  return () => (calls++ === 0 ? keys(...ids) : []);
}

describe('MongoDB cascades without transactions', () => {
  it('deleting a user archives keys, then removes memberships, then the user', async () => {
    const { store, steps } = scriptedStore({
      'User.exists': { _id: 'u1' },
      'ApiKey.find': currentKeys('k1', 'k2'),
    });
    expect(await store.deleteUserAndArchiveKeys('u1', 5, true)).toEqual({
      archivedKeyIds: ['k1', 'k2'],
    });
    expect(steps).toEqual([
      'User.exists',
      'ApiKey.find',
      'ApiKey.updateMany',
      'Membership.deleteMany',
      'User.deleteOne',
      'ApiKey.find',
    ]);
  });

  it('archives, once the user is gone, a key inserted while the deletion ran', async () => {
    const found = [keys('k1'), keys('k9'), []];
    const { store, steps } = scriptedStore({
      'User.exists': { _id: 'u1' },
      'ApiKey.find': () => found.shift(),
    });
    expect(await store.deleteUserAndArchiveKeys('u1', 5, false)).toEqual({
      archivedKeyIds: ['k1', 'k9'],
    });
    expect(steps.slice(steps.indexOf('User.deleteOne'))).toEqual([
      'User.deleteOne',
      'ApiKey.find',
      'ApiKey.updateMany',
    ]);
  });

  it('a second run after a cut-short one finds no current keys and finishes the deletion', async () => {
    let attempt = 0;
    const { store, steps } = scriptedStore({
      'User.exists': { _id: 'u1' },
      'ApiKey.find': () => (attempt === 0 ? keys('k1') : []),
      'Membership.deleteMany': () => {
        if (attempt++ === 0) throw new Error('connection lost');
        return { deletedCount: 1 };
      },
    });
    await expect(store.deleteUserAndArchiveKeys('u1', 5, false)).rejects.toThrow('connection lost');
    expect(steps).not.toContain('User.deleteOne');
    steps.length = 0;
    expect(await store.deleteUserAndArchiveKeys('u1', 6, false)).toEqual({ archivedKeyIds: [] });
    expect(steps).toEqual([
      'User.exists',
      'ApiKey.find',
      'Membership.deleteMany',
      'User.deleteOne',
      'ApiKey.find',
    ]);
  });

  it('deleting an org archives its keys before removing memberships and the org', async () => {
    const { store, steps } = scriptedStore({
      'Org.exists': { _id: 'o1' },
      'ApiKey.find': currentKeys('k1'),
    });
    expect(await store.deleteOrgAndArchiveKeys('o1', 5)).toEqual({ archivedKeyIds: ['k1'] });
    expect(steps).toEqual([
      'Org.exists',
      'ApiKey.find',
      'ApiKey.updateMany',
      'Membership.deleteMany',
      'Org.deleteOne',
      'ApiKey.find',
    ]);
  });

  it('removing a member archives their org keys before the membership goes', async () => {
    const { store, steps } = scriptedStore({
      'Membership.exists': { _id: 'm1' },
      'ApiKey.find': currentKeys('k1'),
    });
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o1', 'u1', 5, true)).toEqual({
      archivedKeyIds: ['k1'],
    });
    expect(steps).toEqual([
      'Membership.exists',
      'ApiKey.find',
      'ApiKey.updateMany',
      'Membership.deleteOne',
      'ApiKey.find',
    ]);
  });

  it('removing a member who keeps their org keys sweeps nothing', async () => {
    const { store, steps } = scriptedStore({ 'Membership.exists': { _id: 'm1' } });
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o1', 'u1', 5, false)).toEqual({
      archivedKeyIds: [],
    });
    expect(steps).toEqual(['Membership.exists', 'Membership.deleteOne']);
  });

  it('stops at once when the user, org or membership does not exist', async () => {
    const { store, steps } = scriptedStore({});
    expect(await store.deleteUserAndArchiveKeys('u1', 5, true)).toBeNull();
    expect(await store.deleteOrgAndArchiveKeys('o1', 5)).toBeNull();
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o1', 'u1', 5, true)).toBeNull();
    expect(steps).toEqual(['User.exists', 'Org.exists', 'Membership.exists']);
  });
});

describe('MongoDB insertKey and a cascade running at the same time', () => {
  const personal = aKey({ kind: 'personal', userId: 'u1' }).key;

  it('keeps the key while its owner exists', async () => {
    const { store, steps } = scriptedStore({ 'User.exists': { _id: 'u1' } });
    expect(await store.insertKey(personal, 0, 5)).toBe('inserted');
    expect(steps).toEqual(['ApiKey.create', 'User.exists']);
  });

  it('removes the key again when the owner is gone by the time it is stored', async () => {
    const { store, steps, args } = scriptedStore({});
    expect(await store.insertKey(personal, 0, 5)).toBe('owner_gone');
    expect(steps).toEqual(['ApiKey.create', 'User.exists', 'ApiKey.deleteOne']);
    expect(args[2]?.[0]).toEqual({ _id: personal.id });
  });

  it('removes the key again when the owner check fails, and reports the failure', async () => {
    const { store, steps } = scriptedStore({
      'User.exists': () => {
        throw new Error('connection lost');
      },
    });
    await expect(store.insertKey(personal, 0, 5)).rejects.toThrow('connection lost');
    expect(steps).toEqual(['ApiKey.create', 'User.exists', 'ApiKey.deleteOne']);
  });

  it("checks an org key's org and its user's membership", async () => {
    const orgKey = aKey({ kind: 'org', orgId: 'o1', userId: 'u1' }).key;
    const { store, steps } = scriptedStore({
      'User.exists': { _id: 'u1' },
      'Org.exists': { _id: 'o1' },
    });
    expect(await store.insertKey(orgKey, 0, 5)).toBe('owner_gone');
    expect(steps).toEqual([
      'ApiKey.create',
      'User.exists',
      'Org.exists',
      'Membership.exists',
      'ApiKey.deleteOne',
    ]);
  });
});

describe('MongoDB cascades with transactions', () => {
  it('runs every step in one transaction, with the session passed to each write', async () => {
    const { store, steps, args } = scriptedStore(
      { 'User.exists': { _id: 'u1' }, 'ApiKey.find': currentKeys('k1') },
      { useTransactions: true },
    );
    const session = {
      withTransaction: jest.fn((work: () => Promise<unknown>) => work()),
      endSession: jest.fn(async () => undefined),
    };
    jest.spyOn(store.connection, 'startSession').mockResolvedValue(session as never);
    expect(await store.deleteUserAndArchiveKeys('u1', 5, false)).toEqual({
      archivedKeyIds: ['k1'],
    });
    expect(session.withTransaction).toHaveBeenCalledTimes(1);
    expect(session.endSession).toHaveBeenCalledTimes(1);
    const writes = steps.flatMap((step, i) =>
      ['ApiKey.updateMany', 'Membership.deleteMany', 'User.deleteOne'].includes(step)
        ? [args[i]?.at(-1)]
        : [],
    );
    expect(writes).toEqual([{ session }, { session }, { session }]);
  });
});
