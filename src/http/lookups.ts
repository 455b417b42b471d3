import { LatchkeyError } from '../core/errors';
import type { KeyListQuery } from '../core/key-lists';
import type { ApiKeyView } from '../core/keys';
import type { Org, User } from '../core/types';
import type { Latchkey } from '../latchkey-api';

/** Reads the pages share, through the public API: "not found" becomes null. */

export async function orNull<T>(found: Promise<T>): Promise<T | null> {
  try {
    return await found;
  } catch (err) {
    if (err instanceof LatchkeyError && err.code === 'not_found') return null;
    throw err;
  }
}

export const userOrNull = (latchkey: Latchkey, userId: string): Promise<User | null> =>
  orNull(latchkey.fetchUser(userId));

export const orgOrNull = (latchkey: Latchkey, orgId: string): Promise<Org | null> =>
  orNull(latchkey.fetchOrg(orgId));

export const keyOrNull = (latchkey: Latchkey, keyId: string): Promise<ApiKeyView | null> =>
  orNull(latchkey.fetchApiKey(keyId));

/** One page of keys as `{ items, total }`, from a page's `limit` and `offset`. */
export async function keyPage(
  latchkey: Latchkey,
  query: Omit<KeyListQuery, 'pageSize' | 'pageNumber'>,
  page: { limit: number; offset: number },
): Promise<{ items: ApiKeyView[]; total: number }> {
  const { keys, total } = await latchkey.listApiKeys({
    ...query,
    pageSize: page.limit,
    pageNumber: Math.floor(page.offset / page.limit),
  });
  return { items: keys, total };
}

/** How many keys match. */
export async function countKeys(
  latchkey: Latchkey,
  query: Omit<KeyListQuery, 'pageSize' | 'pageNumber'>,
): Promise<number> {
  return (await latchkey.listApiKeys({ ...query, pageSize: 1 })).total;
}
