import { scriptedStore } from './mongo-offline';

/**
 * Without transactions (a standalone server) every cascade archives keys first
 * and deletes the owner last, so a run cut short leaves the owner in place and
 * running it again finishes the job.
 */

const keys = (...ids: string[]) => ids.map((_id) => ({ _id }));

describe('MongoDB cascades without transactions', () => {
  it('deleting a user archives keys, then removes memberships, then the user', async () => {
    const { store, steps } = scriptedStore({
      'User.exists': { _id: 'u1' },
      'ApiKey.find': keys('k1', 'k2'),
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
    ]);
  });

  it('deleting an org archives its keys before removing memberships and the org', async () => {
    const { store, steps } = scriptedStore({
      'Org.exists': { _id: 'o1' },
      'ApiKey.find': keys('k1'),
    });
    expect(await store.deleteOrgAndArchiveKeys('o1', 5)).toEqual({ archivedKeyIds: ['k1'] });
    expect(steps).toEqual([
      'Org.exists',
      'ApiKey.find',
      'ApiKey.updateMany',
      'Membership.deleteMany',
      'Org.deleteOne',
    ]);
  });

  it('removing a member archives their org keys before the membership goes', async () => {
    const { store, steps } = scriptedStore({
      'Membership.exists': { _id: 'm1' },
      'ApiKey.find': keys('k1'),
    });
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o1', 'u1', 5, true)).toEqual({
      archivedKeyIds: ['k1'],
    });
    expect(steps).toEqual([
      'Membership.exists',
      'ApiKey.find',
      'ApiKey.updateMany',
      'Membership.deleteOne',
    ]);
  });

  it('stops at once when the user, org or membership does not exist', async () => {
    const { store, steps } = scriptedStore({});
    expect(await store.deleteUserAndArchiveKeys('u1', 5, true)).toBeNull();
    expect(await store.deleteOrgAndArchiveKeys('o1', 5)).toBeNull();
    expect(await store.removeMemberAndArchiveTheirOrgKeys('o1', 'u1', 5, true)).toBeNull();
    expect(steps).toEqual(['User.exists', 'Org.exists', 'Membership.exists']);
  });
});

describe('MongoDB cascades with transactions', () => {
  it('runs every step in one transaction, with the session passed to each write', async () => {
    const { store, steps, args } = scriptedStore(
      { 'User.exists': { _id: 'u1' }, 'ApiKey.find': keys('k1') },
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
