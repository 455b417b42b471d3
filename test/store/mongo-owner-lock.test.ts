import type { Model } from 'mongoose';
import type { OwnerLockDoc } from '../../src/store/mongo/models';
import { OwnerLocks } from '../../src/store/mongo/owner-lock';

/**
 * The per-owner lock that makes "count, then insert" race-free, against an
 * in-memory stand-in with MongoDB's semantics for the two commands it uses:
 * a conditional upsert (a held lock makes the upsert collide on `_id`) and a
 * delete filtered by holder.
 */
class LockCollection {
  readonly docs = new Map<string, { holder: string; lockedUntil: number }>();

  async updateOne(
    filter: { _id: string; lockedUntil: { $lte: number } },
    update: { $set: { holder: string; lockedUntil: number } },
  ): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const doc = this.docs.get(filter._id);
    if (doc && doc.lockedUntil <= filter.lockedUntil.$lte) Object.assign(doc, update.$set);
    else if (doc) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
    else this.docs.set(filter._id, { ...update.$set });
  }

  async deleteOne(filter: { _id: string; holder: string }): Promise<void> {
    if (this.docs.get(filter._id)?.holder === filter.holder) this.docs.delete(filter._id);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function locks(options = { leaseMs: 10_000, waitMs: 2_000 }) {
  const collection = new LockCollection();
  return {
    collection,
    locks: new OwnerLocks(collection as unknown as Model<OwnerLockDoc>, options),
  };
}

describe('owner locks', () => {
  it('lets only one caller at a time into the section of one owner', async () => {
    const { locks: l, collection } = locks();
    let inside = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        l.withLock('user:1', async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(2);
          inside--;
          return i;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(results.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(collection.docs.size).toBe(0);
  });

  it('does not make different owners wait for each other', async () => {
    const { locks: l } = locks();
    let inside = 0;
    let most = 0;
    await Promise.all(
      ['user:1', 'user:2', 'org:3'].map((owner) =>
        l.withLock(owner, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(5);
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('releases the lock when the work fails', async () => {
    const { locks: l, collection } = locks();
    await expect(
      l.withLock('user:1', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(collection.docs.size).toBe(0);
  });

  it('takes over a lock whose holder crashed once its lease has run out', async () => {
    const { locks: l, collection } = locks();
    collection.docs.set('user:1', { holder: 'crashed', lockedUntil: Date.now() - 1 });
    expect(await l.withLock('user:1', async () => 'ran')).toBe('ran');
  });

  it('gives up on a lock held by someone else with a clear error', async () => {
    const { locks: l, collection } = locks({ leaseMs: 10_000, waitMs: 30 });
    collection.docs.set('user:1', { holder: 'other', lockedUntil: Date.now() + 60_000 });
    await expect(l.withLock('user:1', async () => 'ran')).rejects.toThrow(
      'Timed out waiting for a busy key-limit lock.',
    );
    expect(collection.docs.get('user:1')?.holder).toBe('other');
  });
});
