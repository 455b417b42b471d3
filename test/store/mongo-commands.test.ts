import { aKey } from '../support/fixtures';
import { recordingStore, type DriverCall } from './mongo-offline';

/**
 * What each store method sends to MongoDB, read from mongoose's command buffer
 * on a connection that never opens: every write that must be atomic is one
 * conditional command, never a read followed by a write.
 */

async function firstCalls(
  run: (s: ReturnType<typeof recordingStore>['store']) => Promise<unknown>,
) {
  const { store, calls } = recordingStore();
  const error = await run(store).then(
    () => null,
    (e: Error) => e,
  );
  // Every operation fails once its command times out in the buffer; any other error is a bug.
  expect(error?.message).toMatch(/buffering timed out/);
  return calls;
}

const call = (collection: string, method: string, ...args: unknown[]): DriverCall => ({
  collection,
  method,
  args,
});

describe('MongoDB commands', () => {
  it('archives a key with one findOneAndUpdate conditional on archivedAt: null', async () => {
    expect(await firstCalls((s) => s.archiveKey('k1', 50))).toEqual([
      call(
        'api_keys',
        'findOneAndUpdate',
        { _id: 'k1', archivedAt: null },
        { $set: { archivedAt: 50 } },
        expect.objectContaining({ returnDocument: 'after' }),
      ),
    ]);
  });

  it('updates only a key that is not archived, in the same single command', async () => {
    const calls = await firstCalls((s) => s.updateKey('k1', { displayName: 'x', expiresAt: null }));
    expect(calls[0]).toEqual(
      call(
        'api_keys',
        'findOneAndUpdate',
        { _id: 'k1', archivedAt: null },
        { $set: { displayName: 'x', expiresAt: null } },
        expect.objectContaining({ returnDocument: 'after' }),
      ),
    );
  });

  it('counts usage with $inc upserts per key and day', async () => {
    const calls = await firstCalls((s) =>
      s.recordUsage([{ keyId: 'k1', day: '2026-01-01', count: 3, lastUsedAt: 9 }]),
    );
    expect(calls[0]).toEqual(
      call(
        'key_usage',
        'bulkWrite',
        [
          {
            updateOne: {
              filter: { keyId: 'k1', day: '2026-01-01' },
              update: { $inc: { count: 3 } },
              upsert: true,
            },
          },
        ],
        { ordered: false },
      ),
    );
  });

  it('adds a member or changes their role with one upsert that keeps the first join time', async () => {
    const calls = await firstCalls((s) =>
      s.upsertMembership({ userId: 'u1', orgId: 'o1', role: 'Admin', joinedAt: 7 }),
    );
    expect(calls[0]).toEqual(
      call(
        'memberships',
        'updateOne',
        { userId: 'u1', orgId: 'o1' },
        { $set: { role: 'Admin' }, $setOnInsert: { joinedAt: 7 } },
        expect.objectContaining({ upsert: true }),
      ),
    );
  });

  it('keeps the lower-cased email in step when an email changes', async () => {
    const calls = await firstCalls((s) => s.updateUser('u1', { email: 'Ada@X.io' }));
    expect(calls[0]?.args[1]).toEqual({ $set: { email: 'Ada@X.io', emailLower: 'ada@x.io' } });
  });

  it('takes the owner lock before counting keys under a limit', async () => {
    const { key } = aKey({ kind: 'org', orgId: 'o1' });
    const calls = await firstCalls((s) => s.insertKey(key, 3, 100));
    expect(calls[0]).toMatchObject({
      collection: 'owner_locks',
      method: 'updateOne',
      args: [
        { _id: 'org:o1', lockedUntil: { $lte: expect.any(Number) } },
        { $set: { holder: expect.any(String), lockedUntil: expect.any(Number) } },
        { upsert: true },
      ],
    });
  });

  it('inserts a key without a limit as one insert, with the key id as _id', async () => {
    const { key } = aKey();
    const calls = await firstCalls((s) => s.insertKey(key, 0, 100));
    expect(calls[0]).toMatchObject({
      collection: 'api_keys',
      method: 'insertOne',
      args: [{ _id: key.id, digest: key.digest }, {}],
    });
  });

  it('stamps each inserted key with a growing insertion sequence', async () => {
    const seqs: unknown[] = [];
    for (const { key } of [aKey(), aKey(), aKey()]) {
      const calls = await firstCalls((s) => s.insertKey(key, 0, 100));
      seqs.push((calls[0]?.args[0] as { seq?: unknown }).seq);
    }
    expect(seqs.every((s) => typeof s === 'number')).toBe(true);
    expect([...(seqs as number[])].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(3);
  });

  it('consumes a setup token with one findOneAndDelete', async () => {
    expect(await firstCalls((s) => s.consumeSetupToken('d1', 5))).toEqual([
      call('setup_tokens', 'findOneAndDelete', { _id: 'd1' }, {}),
    ]);
  });

  it('lists current keys of a user with a literal, case-insensitive search', async () => {
    const calls = await firstCalls((s) =>
      s.listKeys(
        { state: 'current', userId: 'u1', search: 'a.b', now: 5 },
        { limit: 2, offset: 4 },
      ),
    );
    const find = calls.find((c) => c.method === 'find');
    const filter = find?.args[0] as { $and: Record<string, unknown>[] };
    expect(filter.$and.slice(0, 3)).toEqual([
      { archivedAt: null },
      { $or: [{ expiresAt: null }, { expiresAt: { $gt: 5 } }] },
      { userId: 'u1' },
    ]);
    const search = filter.$and[3] as { $or: Record<string, RegExp>[] };
    expect(search.$or.map((c) => Object.values(c)[0]?.toString())).toEqual([
      '/^a\\.b/i',
      '/a\\.b/i',
      '/a\\.b/i',
    ]);
    expect(find?.args[1]).toEqual({
      sort: { createdAt: -1, seq: -1, _id: 1 },
      skip: 4,
      limit: 2,
    });
  });

  it('starts deleting a user by checking that it exists, reading only its id', async () => {
    const calls = await firstCalls((s) => s.deleteUserAndArchiveKeys('u1', 5, true));
    expect(calls).toEqual([
      call('users', 'findOne', { _id: 'u1' }, expect.objectContaining({ projection: { _id: 1 } })),
    ]);
  });
});

describe('MongoDB paging', () => {
  it('sends whole, bounded limits and offsets, and no query at all for a limit of 0', async () => {
    const calls = await firstCalls((s) =>
      s.listAudit({}, { limit: Number.POSITIVE_INFINITY, offset: 2.7 }),
    );
    expect(calls.find((c) => c.method === 'find')?.args[1]).toMatchObject({
      skip: 2,
      limit: 2 ** 31 - 1,
    });
    const none = await firstCalls((s) => s.listAudit({}, { limit: 0, offset: 0 }));
    expect(none.map((c) => c.method)).toEqual(['countDocuments']);
  });
});
