import type { OutboxEvent, ReminderRecords } from '../../core/store';
import { insertOutboxEvents } from './event-models';
import { keyFromDoc } from './mappers';
import type { Models } from './models';
import { insertedOrDuplicate } from './record-helpers';

/** Expiry reminders on MongoDB: a unique index on (keyId, thresholdDays) makes each claim unique. */
export class MongoReminderRecords implements ReminderRecords {
  constructor(private readonly models: Models) {}

  async listKeysExpiringBetween(after: number, until: number, limit: number, afterId?: string) {
    // From a page's last key on: the same expiry with a later id, or a later expiry.
    const from =
      afterId === undefined
        ? { expiresAt: { $gt: after, $lte: until } }
        : {
            expiresAt: { $gte: after, $lte: until },
            $or: [{ expiresAt: { $gt: after } }, { _id: { $gt: String(afterId) } }],
          };
    const docs = await this.models.ApiKey.find({ archivedAt: null, ...from })
      .sort({ expiresAt: 1, _id: 1 })
      .limit(limit)
      .lean();
    return docs.map(keyFromDoc);
  }

  async claimExpiryReminder(
    keyId: string,
    thresholdDays: number,
    expiresAt: number,
    now: number,
    events?: OutboxEvent[],
  ) {
    // Matches only a claim for an earlier expiry, which it takes over; with a claim for this
    // expiry present the upsert's insert hits the unique index instead.
    const taken = await insertedOrDuplicate(() =>
      this.models.ExpiryReminder.updateOne(
        { keyId, thresholdDays, expiresAt: { $ne: expiresAt } },
        { $set: { expiresAt, sentAt: now } },
        { upsert: true },
      ),
    );
    if (taken) await insertOutboxEvents(this.models.WebhookEvent, events);
    return taken;
  }

  async releaseExpiryReminder(keyId: string, thresholdDays: number) {
    await this.models.ExpiryReminder.deleteOne({ keyId, thresholdDays });
  }
}
