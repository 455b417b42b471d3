import type { Model } from 'mongoose';
import type { RetentionRecords } from '../../core/store';
import type { Models } from './models';

/** Deletes up to `limit` documents matching `filter`: ids first, so the batch stays small. */
async function deleteBatch<T>(model: Model<T>, filter: object, limit: number): Promise<number> {
  const found = await model.find(filter).select({ _id: 1 }).limit(limit).lean();
  const batch = (found as unknown as { _id: unknown }[]).map((d) => d._id);
  if (batch.length === 0) return 0;
  const { deletedCount } = await model.deleteMany({ _id: { $in: batch } });
  return deletedCount;
}

/** The retention deletes (each a small batch) and collection sizes. */
export function mongoRetention(models: Models): RetentionRecords {
  return {
    deleteArchivedKeys: (before, limit) =>
      deleteBatch(models.ApiKey, { archivedAt: { $ne: null, $lt: before } }, limit),
    deleteUsageBefore: (day, limit) => deleteBatch(models.Usage, { day: { $lt: day } }, limit),
    deleteAuditBefore: (before, limit) => deleteBatch(models.Audit, { at: { $lt: before } }, limit),
    deleteDispatchedEventsBefore: (before, limit) =>
      deleteBatch(models.WebhookEvent, { dispatchedAt: { $ne: null, $lt: before } }, limit),
    // A finished delivery's nextAttemptAt is its last attempt's time (recordAttempt).
    deleteFinishedDeliveriesBefore: (before, limit) =>
      deleteBatch(
        models.WebhookDelivery,
        { status: { $in: ['delivered', 'failed'] }, nextAttemptAt: { $lt: before } },
        limit,
      ),
    deleteExpiryClaimsBefore: (before, limit) =>
      deleteBatch(models.ExpiryReminder, { expiresAt: { $lt: before } }, limit),
    tableSizes: async () => {
      const entries = await Promise.all(
        (
          [
            'User',
            'Org',
            'Membership',
            'ApiKey',
            'Usage',
            'Audit',
            'Admin',
            'IntegrationKey',
            'Session',
            'ExpiryReminder',
            'WebhookEvent',
            'WebhookDelivery',
          ] as const
        ).map(async (name) => {
          const model = models[name] as Model<unknown>;
          return [model.collection.collectionName, await model.estimatedDocumentCount()] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}
