import { quotaAt } from '../../core/quota';
import type { KeyRecords, OutboxEvent, UseLease } from '../../core/store';
import { insertOutboxEvents } from './event-models';
import { keyFromDoc } from './mappers';
import type { Models } from './models';
import { asId } from './query-values';
import type { OwnerLocks } from './owner-lock';
import { AFTER } from './record-helpers';

/** How often a lease retries when another process changed the count between read and update. */
const ATTEMPTS = 5;

/**
 * Quota leases and rolling on MongoDB. Every change is a conditional update on one
 * document: a refill only applies when `refilledAt` is still what was read, and uses are
 * taken with `$inc` under a `remaining >= n` filter, so processes never take more than
 * there is (on a server that applies concurrent updates atomically: see docs/mongodb.md).
 */
export class MongoKeyQuota implements Pick<KeyRecords, 'leaseUses' | 'returnUses' | 'rollKey'> {
  constructor(
    private readonly models: Models,
    /** Set where concurrent updates may be lost: each key's quota changes then run in turn. */
    private readonly locks: OwnerLocks | null = null,
  ) {}

  private inTurn<T>(keyId: string, work: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.withLock(`quota:${keyId}`, work) : work();
  }

  leaseUses(keyId: string, least: number, want: number, now: number): Promise<UseLease | null> {
    return this.inTurn(keyId, () => this.lease(keyId, least, want, now));
  }

  private async lease(
    keyId: string,
    least: number,
    want: number,
    now: number,
  ): Promise<UseLease | null> {
    const _id = asId(keyId);
    if (_id === null) return null;
    const { ApiKey } = this.models;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const doc = await ApiKey.findOne({ _id, archivedAt: null })
        .select({ remaining: 1, refill: 1, refilledAt: 1 })
        .lean();
      if (!doc || doc.remaining === null || doc.remaining === undefined) return null;
      const refilledAt = doc.refilledAt ?? null;
      const state = quotaAt(
        { remaining: doc.remaining, refill: doc.refill ?? null, refilledAt },
        now,
      );
      if (state.period !== refilledAt) {
        // Refill first; whoever loses this race re-reads the refilled count.
        await ApiKey.updateOne(
          { _id, refilledAt },
          { $set: { remaining: state.remaining, refilledAt: state.period } },
        );
        continue;
      }
      const take = state.remaining >= want ? want : state.remaining >= least ? state.remaining : 0;
      const lease = { period: state.period, nextRefillAt: state.nextRefillAt };
      if (take === 0) return { granted: 0, remaining: state.remaining, ...lease };
      const after = await ApiKey.findOneAndUpdate(
        { _id, archivedAt: null, refilledAt, remaining: { $gte: take } },
        { $inc: { remaining: -take } },
        AFTER,
      ).lean();
      if (after) return { granted: take, remaining: after.remaining ?? 0, ...lease };
    }
    // Still contended after several tries: refuse this once rather than wait.
    return { granted: 0, remaining: 0, period: null, nextRefillAt: null };
  }

  async returnUses(keyId: string, uses: number, period: number | null): Promise<void> {
    const _id = asId(keyId);
    if (_id === null || uses <= 0) return;
    await this.inTurn(keyId, () =>
      this.models.ApiKey.updateOne(
        { _id, remaining: { $ne: null }, refilledAt: period },
        { $inc: { remaining: uses } },
      ),
    );
  }

  async rollKey(
    id: string,
    next: { digest: string; hint: string },
    previousExpiresAt: number,
    events?: OutboxEvent[],
  ): Promise<ReturnType<typeof keyFromDoc> | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const { ApiKey } = this.models;
    // Compare-and-set on the digest read (no pipeline update: FerretDB has none), so the old
    // digest moves in the same write as the new one and a concurrent roll makes this retry.
    let doc = null;
    for (let attempt = 0; attempt < ATTEMPTS && !doc; attempt++) {
      const current = await ApiKey.findOne({ _id, archivedAt: null }).select({ digest: 1 }).lean();
      if (!current) return null;
      doc = await ApiKey.findOneAndUpdate(
        { _id, archivedAt: null, digest: current.digest },
        {
          $set: {
            previousDigest: current.digest,
            previousDigestExpiresAt: previousExpiresAt,
            digest: next.digest,
            hint: next.hint,
          },
        },
        AFTER,
      ).lean();
    }
    if (doc) await insertOutboxEvents(this.models.WebhookEvent, events);
    return doc ? keyFromDoc(doc) : null;
  }
}
