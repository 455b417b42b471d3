import type { UsageIncrement } from '../../core/types';
import type { UsageFilter, UsageRecords } from '../../core/store';
import type { MongoCapabilities } from './capabilities';
import type { Models } from './models';
import { usageQuery } from './queries';
import { asId } from './query-values';

/** Validation counts per key per day on MongoDB, and last-used times. */
export class MongoUsageRecords implements UsageRecords {
  constructor(
    private readonly models: Models,
    private readonly capabilities?: MongoCapabilities,
  ) {}

  async recordUsage(increments: UsageIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    // $inc upserts: concurrent writers add up instead of overwriting each other.
    await this.models.Usage.bulkWrite(
      increments.map((inc) => ({
        updateOne: {
          filter: { keyId: String(inc.keyId), day: String(inc.day) },
          update: { $inc: { count: inc.count } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    // Where concurrent updates of one document can be lost (FerretDB 1.x writes the whole
    // document back), a last-used write racing an archive could undo the revocation: there
    // last-used times are not kept, rather than risk a revoked key validating again.
    if (this.capabilities?.atomicUpdates === false) return;
    // $max only ever moves last-used forward (and replaces null, which sorts below numbers).
    await this.models.ApiKey.bulkWrite(
      increments.map((inc) => ({
        updateOne: {
          filter: { _id: String(inc.keyId) },
          update: { $max: { lastUsedAt: inc.lastUsedAt } },
        },
      })),
      { ordered: false },
    );
  }

  async countUsage(day: string, filter: UsageFilter): Promise<number> {
    const d = asId(day);
    const match = await usageQuery(this.models.ApiKey, filter);
    if (d === null || match === null) return 0;
    const rows = await this.models.Usage.aggregate<{ total: number }>([
      { $match: { day: d, ...match } },
      { $group: { _id: null, total: { $sum: '$count' } } },
    ]);
    return rows[0]?.total ?? 0;
  }

  async usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]> {
    const from = asId(fromDay);
    const to = asId(toDay);
    const match = await usageQuery(this.models.ApiKey, filter);
    if (from === null || to === null || match === null) return [];
    const rows = await this.models.Usage.aggregate<{ _id: string; count: number }>([
      { $match: { day: { $gte: from, $lte: to }, ...match } },
      { $group: { _id: '$day', count: { $sum: '$count' } } },
      { $sort: { _id: 1 } },
    ]);
    return rows.map((r) => ({ day: r._id, count: r.count }));
  }
}
