import type { ReminderRecords } from '../../core/store';
import { keyFromDoc } from './mappers';
import type { Models } from './models';
import { insertedOrDuplicate } from './record-helpers';

/** Expiry reminders on MongoDB: a unique index on (keyId, thresholdDays) makes each claim unique. */
export class MongoReminderRecords implements ReminderRecords {
  constructor(private readonly models: Models) {}

  async listKeysExpiringBetween(after: number, until: number, limit: number) {
    const docs = await this.models.ApiKey.find({
      archivedAt: null,
      expiresAt: { $gt: after, $lte: until },
    })
      .sort({ expiresAt: 1, _id: 1 })
      .limit(limit)
      .lean();
    return docs.map(keyFromDoc);
  }

  async claimExpiryReminder(keyId: string, thresholdDays: number, expiresAt: number, now: number) {
    // Matches only a claim for an earlier expiry, which it takes over; with a claim for this
    // expiry present the upsert's insert hits the unique index instead.
    return insertedOrDuplicate(() =>
      this.models.ExpiryReminder.updateOne(
        { keyId, thresholdDays, expiresAt: { $ne: expiresAt } },
        { $set: { expiresAt, sentAt: now } },
        { upsert: true },
      ),
    );
  }

  async releaseExpiryReminder(keyId: string, thresholdDays: number) {
    await this.models.ExpiryReminder.deleteOne({ keyId, thresholdDays });
  }
}
