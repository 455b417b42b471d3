import type { Model, QueryFilter } from 'mongoose';
import type { KeyFilter, UsageFilter } from '../../core/store';
import type { ApiKeyDoc } from './models';
import { asId, asNumber, containsRegex, prefixRegex } from './query-values';

/**
 * Filters for the list queries, built from typed values only. `null` means
 * "a filter value was not a string, so nothing can match".
 */

type KeyCondition = QueryFilter<ApiKeyDoc>;

const notExpired = (now: number): KeyCondition => ({
  $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
});

export function keyQuery(f: KeyFilter): KeyCondition | null {
  const now = asNumber(f.now) ?? Math.floor(Date.now() / 1000);
  const and: KeyCondition[] = [];
  if (f.archived === true || f.state === 'archived') and.push({ archivedAt: { $ne: null } });
  if (f.archived === false) and.push({ archivedAt: null });
  if (f.state === 'current') and.push({ archivedAt: null }, notExpired(now));
  if (f.state === 'expired') and.push({ archivedAt: null, expiresAt: { $ne: null, $lte: now } });
  for (const field of ['kind', 'userId', 'orgId'] as const) {
    const raw: unknown = f[field];
    if (!raw) continue;
    const value = asId(raw);
    if (value === null) return null;
    and.push({ [field]: value });
  }
  const search: unknown = f.search;
  if (search) {
    if (typeof search !== 'string') return null;
    and.push({
      $or: [
        { _id: prefixRegex(search) },
        { hint: containsRegex(search) },
        { displayName: containsRegex(search) },
      ],
    });
  }
  if (and.length === 0) return {};
  return and.length === 1 ? (and[0] as KeyCondition) : { $and: and };
}

/**
 * The usage match for a filter. Usage rows carry only the key id, so a user or
 * org filter first finds that owner's key ids (an indexed lookup).
 */
export async function usageQuery(
  keys: Model<ApiKeyDoc>,
  f: UsageFilter,
): Promise<Record<string, unknown> | null> {
  const and: Record<string, unknown>[] = [];
  const keyId: unknown = f.keyId;
  if (keyId) {
    const value = asId(keyId);
    if (value === null) return null;
    and.push({ keyId: value });
  }
  const owner: Record<string, string> = {};
  for (const field of ['userId', 'orgId'] as const) {
    const raw: unknown = f[field];
    if (!raw) continue;
    const value = asId(raw);
    if (value === null) return null;
    owner[field] = value;
  }
  if (Object.keys(owner).length > 0) {
    const docs = await keys.find(owner, { _id: 1 }).lean<{ _id: string }[]>();
    and.push({ keyId: { $in: docs.map((d) => d._id) } });
  }
  return and.length === 0 ? {} : { $and: and };
}
