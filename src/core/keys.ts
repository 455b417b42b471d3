import { audit, type Actor, type Core } from './context';
import { pageOf, type PageRequest } from './directory';
import { LatchkeyError } from './errors';
import {
  createKeyInput,
  importKeyInput,
  isKeyId,
  isUuid,
  parseInput,
  updateKeyInput,
} from './inputs';
import { dayOf, nowSeconds } from './time';
import { digestToken, generateToken, newKeyId, tokenHint } from './token';
import type { ApiKey, JsonObject, KeyKind, RateLimit } from './types';
import type { KeyState } from './store';
import type { UsageBuffer } from './usage-buffer';

/** An API key as callers see it: everything but the digest. */
export type ApiKeyView = Omit<ApiKey, 'digest'>;

export const viewOf = ({ digest: _digest, ...view }: ApiKey): ApiKeyView => view;

export interface CreatedKey {
  apiKeyId: string;
  /** Shown once; only its digest is stored. */
  apiKeyToken: string;
  key: ApiKeyView;
}

type KeyOwner = { kind: KeyKind; userId: string | null; orgId: string | null };

/** Works out the kind from the owner fields and checks the owner exists (and belongs together). */
async function resolveOwner(core: Core, userId?: string, orgId?: string): Promise<KeyOwner> {
  if (userId && !(await core.store.findUserById(userId)))
    throw LatchkeyError.field('userId', 'no user has this id');
  if (orgId) {
    if (!(await core.store.findOrgById(orgId)))
      throw LatchkeyError.field('orgId', 'no organization has this id');
    if (userId && !(await core.store.findMembership(userId, orgId))) {
      throw LatchkeyError.field('userId', 'the user is not a member of this organization');
    }
    return { kind: 'org', userId: userId ?? null, orgId };
  }
  return userId
    ? { kind: 'personal', userId, orgId: null }
    : { kind: 'generic', userId: null, orgId: null };
}

function checkKindEnabled(core: Core, kind: KeyKind): void {
  const s = core.settings();
  if ((kind === 'personal' && !s.personalKeysEnabled) || (kind === 'org' && !s.orgKeysEnabled)) {
    throw new LatchkeyError(
      'kind_disabled',
      `${kind === 'org' ? 'Organization' : 'Personal'} API keys are turned off.`,
    );
  }
}

function checkExpiry(expiresAt: number | null | undefined, now: number): void {
  if (expiresAt !== undefined && expiresAt !== null && expiresAt <= now) {
    throw LatchkeyError.field('expiresAt', 'must be in the future');
  }
}

async function insert(core: Core, key: ApiKey, now: number): Promise<void> {
  const s = core.settings();
  const max = key.kind === 'personal' ? s.maxKeysPerUser : key.kind === 'org' ? s.maxKeysPerOrg : 0;
  const outcome = await core.store.insertKey(key, max, now);
  if (outcome === 'limit_reached') {
    throw new LatchkeyError(
      'limit_reached',
      `This ${key.kind === 'org' ? 'organization' : 'user'} already has the maximum of ${max} active API keys. Revoke one first.`,
    );
  }
  if (outcome === 'duplicate')
    throw new LatchkeyError('conflict', 'token: this API key already exists');
  if (outcome === 'owner_gone') {
    // Deleted (or left the org) after resolveOwner saw it: the same answer it gives now.
    await resolveOwner(core, key.userId ?? undefined, key.orgId ?? undefined);
    throw LatchkeyError.field(key.orgId ? 'orgId' : 'userId', 'the owner of this key is gone');
  }
  core.validator.forget(key.digest);
}

const defaultName = (kind: KeyKind): string =>
  kind === 'personal' ? 'Personal key' : kind === 'org' ? 'Organization key' : 'Generic key';

export async function createApiKey(core: Core, input: unknown, by?: Actor): Promise<CreatedKey> {
  const data = parseInput(createKeyInput, input ?? {});
  const now = nowSeconds();
  checkExpiry(data.expiresAt, now);
  const owner = await resolveOwner(core, data.userId, data.orgId);
  checkKindEnabled(core, owner.kind);
  const token = generateToken(core.settings().tokenPrefix);
  const key: ApiKey = {
    id: newKeyId(),
    digest: digestToken(token),
    ...owner,
    displayName: data.displayName ?? defaultName(owner.kind),
    hint: tokenHint(token),
    metadata: data.metadata ?? {},
    expiresAt: data.expiresAt ?? null,
    createdAt: now,
    lastUsedAt: null,
    archivedAt: null,
    imported: false,
    createdBy: by?.actor ?? 'library',
    rateLimit: data.rateLimit ?? null,
  };
  await insert(core, key, now);
  await audit(core, by, 'key.created', 'key', key.id, {
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
  });
  return { apiKeyId: key.id, apiKeyToken: token, key: viewOf(key) };
}

/** Stores a token issued elsewhere (by digest only) so it validates with `validateImportedApiKey`. */
export async function importApiKey(core: Core, input: unknown, by?: Actor): Promise<ApiKeyView> {
  const data = parseInput(importKeyInput, input);
  const now = nowSeconds();
  checkExpiry(data.expiresAt, now);
  const owner = await resolveOwner(core, data.userId, data.orgId);
  checkKindEnabled(core, owner.kind);
  const key: ApiKey = {
    id: newKeyId(),
    digest: digestToken(data.token),
    ...owner,
    displayName: data.displayName ?? `Imported ${defaultName(owner.kind).toLowerCase()}`,
    hint: tokenHint(data.token),
    metadata: data.metadata ?? {},
    expiresAt: data.expiresAt ?? null,
    createdAt: now,
    lastUsedAt: null,
    archivedAt: null,
    imported: true,
    createdBy: by?.actor ?? 'library',
    rateLimit: data.rateLimit ?? null,
  };
  await insert(core, key, now);
  await audit(core, by, 'key.imported', 'key', key.id, {
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
  });
  return viewOf(key);
}

async function requireKey(core: Core, keyId: unknown): Promise<ApiKey> {
  const key = isKeyId(keyId) ? await core.store.findKeyById(keyId) : null;
  if (!key) throw LatchkeyError.fieldNotFound('apiKeyId', 'no API key has this id');
  return key;
}

export async function fetchApiKey(core: Core, keyId: unknown): Promise<ApiKeyView> {
  return viewOf(await requireKey(core, keyId));
}

export interface KeyUpdate {
  displayName?: string;
  /** Unix seconds; null = never expires. */
  expiresAt?: number | null;
  metadata?: JsonObject;
  /** This key's own validation allowance; null removes it. */
  rateLimit?: RateLimit | null;
}

export async function updateApiKey(
  core: Core,
  keyId: unknown,
  input: unknown,
  by?: Actor,
): Promise<ApiKeyView> {
  const key = await requireKey(core, keyId);
  const patch = parseInput(updateKeyInput, input ?? {});
  checkExpiry(patch.expiresAt, nowSeconds());
  if (key.archivedAt !== null)
    throw new LatchkeyError('conflict', 'This API key is archived and can no longer be changed.');
  const updated = await core.store.updateKey(key.id, patch);
  if (!updated)
    throw new LatchkeyError('conflict', 'This API key is archived and can no longer be changed.');
  core.validator.forget(key.digest);
  await audit(core, by, 'key.updated', 'key', key.id, { fields: Object.keys(patch) });
  return viewOf(updated);
}

/** Archives (revokes) a key: it fails validation at once and stays listable as archived. */
export async function archiveApiKey(core: Core, keyId: unknown, by?: Actor): Promise<ApiKeyView> {
  const key = await requireKey(core, keyId);
  const archived = await core.store.archiveKey(key.id, nowSeconds());
  core.validator.forget(key.digest);
  if (!archived) throw new LatchkeyError('conflict', 'This API key is already archived.');
  await audit(core, by, 'key.archived', 'key', key.id, { kind: key.kind });
  return viewOf(archived);
}

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

export interface UsageQuery {
  /** YYYY-MM-DD (UTC); today when omitted. */
  date?: string;
  apiKeyId?: string;
  userId?: string;
  orgId?: string;
}

/** Validations counted for one UTC day, overall or for one key, user or org. */
export async function apiKeyUsage(
  core: Core & { usage: UsageBuffer },
  q?: UsageQuery | null,
): Promise<number> {
  const query = q ?? {};
  const date = query.date ?? dayOf(nowSeconds());
  if (
    typeof date !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
    // Date.parse rolls 2024-02-31 over to March; a real date survives the round trip.
    dayOf(Date.parse(`${date}T00:00:00Z`) / 1000) !== date
  ) {
    throw LatchkeyError.field('date', 'must be a date as YYYY-MM-DD');
  }
  if (query.apiKeyId !== undefined && !isKeyId(query.apiKeyId))
    throw LatchkeyError.field('apiKeyId', 'must be 32 hex characters');
  if (query.userId !== undefined && !isUuid(query.userId))
    throw LatchkeyError.field('userId', 'must be a UUID');
  if (query.orgId !== undefined && !isUuid(query.orgId))
    throw LatchkeyError.field('orgId', 'must be a UUID');
  await core.usage.flush();
  return core.store.countUsage(date, {
    keyId: query.apiKeyId,
    userId: query.userId,
    orgId: query.orgId,
  });
}
