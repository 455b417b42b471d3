import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKey } from './mongo-errors';
import type { OwnerLockDoc } from './models';

export interface OwnerLockOptions {
  /** How long a holder may keep the lock before others may take it over. */
  leaseMs: number;
  /** How long to wait for a busy lock before giving up. */
  waitMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serialises "count the owner's active keys, then insert one" per owner, on any
 * deployment, standalone included.
 *
 * Why not a transaction alone: MongoDB transactions are snapshot-isolated, so two
 * transactions that each count 2 keys and each insert a different third key do
 * not conflict (write skew) and both commit. Why not a stored counter: keys stop
 * being "active" when they expire, without any write, so a counter would drift.
 *
 * The lock is one document per owner, taken with a single conditional upsert:
 * it matches only when the lease has run out; when the document exists and is
 * held, the upsert tries to insert a second document with the same `_id` and
 * the unique `_id` index refuses it (E11000), which means "busy, retry". The
 * lease bounds how long a crashed holder can block others.
 */
export class OwnerLocks {
  constructor(
    private readonly model: Model<OwnerLockDoc>,
    private readonly options: OwnerLockOptions = { leaseMs: 10_000, waitMs: 5_000 },
  ) {}

  async withLock<T>(owner: string, work: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    const giveUpAt = Date.now() + this.options.waitMs;
    let delay = 2;
    while (!(await this.tryAcquire(owner, holder))) {
      if (Date.now() > giveUpAt) throw new Error('Timed out waiting for a busy key-limit lock.');
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await work();
    } finally {
      // Only our own lease is released; one that expired and was taken over stays with its new
      // holder. A failed release must not fail work that succeeded: the lease runs out by itself.
      await this.model.deleteOne({ _id: owner, holder }).catch(() => undefined);
    }
  }

  private async tryAcquire(owner: string, holder: string): Promise<boolean> {
    const now = Date.now();
    try {
      await this.model.updateOne(
        { _id: owner, lockedUntil: { $lte: now } },
        { $set: { holder, lockedUntil: now + this.options.leaseMs } },
        { upsert: true },
      );
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }
}
