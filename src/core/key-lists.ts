import type { Core } from './context';
import { LatchkeyError } from './errors';
import { isUuid } from './inputs';
import { viewOf, type ApiKeyView } from './keys';
import { pageOf, type PageRequest } from './paging';
import type { KeyState } from './store';
import { nowSeconds } from './time';
import type { KeyKind } from './types';

/** Listing and counting keys by owner, kind, state and text. */

export interface KeyListQuery extends PageRequest {
  userId?: string;
  userEmail?: string;
  orgId?: string;
  kind?: KeyKind;
  /** true: archived keys; false: keys not archived (expired included). */
  archived?: boolean;
  state?: KeyState;
  search?: string;
}

export interface KeyList {
  keys: ApiKeyView[];
  total: number;
  pageNumber: number;
  pageSize: number;
  hasMore: boolean;
}

const KINDS: readonly unknown[] = ['personal', 'org', 'generic'];
const STATES: readonly unknown[] = ['current', 'expired', 'archived'];

/** The filters reach the store as they are, so each must have the type the store expects. */
function checkListFilters(query: KeyListQuery): void {
  const { userEmail, kind, archived, state, search } = query as Record<string, unknown>;
  if (userEmail !== undefined && (typeof userEmail !== 'string' || userEmail.length > 320))
    throw LatchkeyError.field('userEmail', 'must be an email address');
  if (kind !== undefined && !KINDS.includes(kind))
    throw LatchkeyError.field('kind', 'must be personal, org or generic');
  if (archived !== undefined && typeof archived !== 'boolean')
    throw LatchkeyError.field('archived', 'must be true or false');
  if (state !== undefined && !STATES.includes(state))
    throw LatchkeyError.field('state', 'must be current, expired or archived');
  if (search !== undefined && (typeof search !== 'string' || search.length > 200))
    throw LatchkeyError.field('search', 'must be text of at most 200 characters');
}

export async function listApiKeys(core: Core, q?: KeyListQuery | null): Promise<KeyList> {
  const query = q ?? {};
  const page = pageOf(query);
  let userId = query.userId;
  if (userId !== undefined && !isUuid(userId))
    throw LatchkeyError.field('userId', 'must be a UUID');
  if (query.orgId !== undefined && !isUuid(query.orgId))
    throw LatchkeyError.field('orgId', 'must be a UUID');
  checkListFilters(query);
  const empty = {
    keys: [],
    total: 0,
    pageNumber: page.pageNumber,
    pageSize: page.pageSize,
    hasMore: false,
  };
  if (query.userEmail !== undefined) {
    const user = await core.store.findUserByEmail(query.userEmail);
    if (!user || (userId && user.id !== userId)) return empty;
    userId = user.id;
  }
  const filter = {
    now: nowSeconds(),
    userId,
    orgId: query.orgId,
    kind: query.kind,
    archived: query.archived,
    state: query.state,
    search: query.search,
  };
  const { items, total } = await core.store.listKeys(filter, page);
  return {
    keys: items.map(viewOf),
    total,
    pageNumber: page.pageNumber,
    pageSize: page.pageSize,
    hasMore: page.offset + items.length < total,
  };
}
