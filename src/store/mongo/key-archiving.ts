import type { ClientSession, Model, QueryFilter } from 'mongoose';
import type { ArchivedKey } from '../../core/store';
import type { ApiKeyDoc } from './models';

type ArchivedFields = Pick<ApiKeyDoc, '_id' | 'kind' | 'userId' | 'orgId' | 'hint' | 'displayName'>;

/** Archives the current keys matching `filter`; returns them, oldest first. */
export async function archiveMatchingKeys(
  ApiKey: Model<ApiKeyDoc>,
  filter: QueryFilter<ApiKeyDoc>,
  now: number,
  session: ClientSession | undefined,
): Promise<ArchivedKey[]> {
  const current = { ...filter, archivedAt: null };
  const fields = { _id: 1, kind: 1, userId: 1, orgId: 1, hint: 1, displayName: 1 };
  const docs = await ApiKey.find(current, fields, { session })
    .sort({ createdAt: 1, _id: 1 })
    .lean<ArchivedFields[]>();
  const ids = docs.map((d) => d._id);
  if (ids.length > 0) {
    // Still conditional on archivedAt: null, so a key archived meanwhile keeps its first archive time.
    await ApiKey.updateMany(
      { _id: { $in: ids }, archivedAt: null },
      { $set: { archivedAt: now } },
      { session },
    );
  }
  return docs.map((d) => ({
    id: d._id,
    kind: d.kind,
    userId: d.userId ?? null,
    orgId: d.orgId ?? null,
    hint: d.hint,
    displayName: d.displayName,
  }));
}

/** Archives the current keys matching `filter`; returns their ids, oldest first. */
export async function archiveMatching(
  ApiKey: Model<ApiKeyDoc>,
  filter: QueryFilter<ApiKeyDoc>,
  now: number,
  session: ClientSession | undefined,
): Promise<string[]> {
  return (await archiveMatchingKeys(ApiKey, filter, now, session)).map((k) => k.id);
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
