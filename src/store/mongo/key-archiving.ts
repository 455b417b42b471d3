import type { ClientSession, Model, QueryFilter } from 'mongoose';
import type { ApiKeyDoc } from './models';

/** Archives the current keys matching `filter`; returns their ids, oldest first. */
export async function archiveMatching(
  ApiKey: Model<ApiKeyDoc>,
  filter: QueryFilter<ApiKeyDoc>,
  now: number,
  session: ClientSession | undefined,
): Promise<string[]> {
  const current = { ...filter, archivedAt: null };
  const docs = await ApiKey.find(current, { _id: 1 }, { session })
    .sort({ createdAt: 1, _id: 1 })
    .lean<{ _id: string }[]>();
  const ids = docs.map((d) => d._id);
  if (ids.length > 0) {
    // Still conditional on archivedAt: null, so a key archived meanwhile keeps its first archive time.
    await ApiKey.updateMany(
      { _id: { $in: ids }, archivedAt: null },
      { $set: { archivedAt: now } },
      { session },
    );
  }
  return ids;
}

/**
 * A cascade's second sweep, once its owner is gone and the change is visible to every
 * reader: a key inserted while the cascade ran, by a caller that still saw the owner,
 * is archived here; one inserted later finds the owner gone (see insertKey).
 */
export async function sweptAgain(
  ApiKey: Model<ApiKeyDoc>,
  done: { archivedKeyIds: string[] } | null,
  filter: QueryFilter<ApiKeyDoc>,
  now: number,
): Promise<{ archivedKeyIds: string[] } | null> {
  if (done === null) return null;
  const late = await archiveMatching(ApiKey, filter, now, undefined);
  return late.length === 0 ? done : { archivedKeyIds: [...done.archivedKeyIds, ...late] };
}
