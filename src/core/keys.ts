import type { z } from 'zod';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { causeOf, keyEvent } from './events';
import { createKeyInput, importKeyInput, isKeyId, parseInput, updateKeyInput } from './inputs';
import { nowSeconds } from './time';
import { digestToken, generateToken, newKeyId, tokenHint } from './token';
import { quotaFieldsOf, quotaPatch, quotaView } from './quota';
import { NO_QUOTA_OR_ROLL, type ApiKey, type KeyKind } from './types';

/** What createApiKey takes; with `token` added, what importApiKey takes. */
export type CreateKeyInput = z.input<typeof createKeyInput>;
export type ImportKeyInput = z.input<typeof importKeyInput>;

/** An API key as callers see it: everything but the digest. */
export type ApiKeyView = Omit<ApiKey, 'digest' | 'previousDigest' | 'remaining'> & {
  /** Uses left of the quota now (a refill that is due counted in); null = no quota. */
  remaining: number | null;
  /** When the quota next refills; null when it does not. */
  nextRefillAt: number | null;
};

export const viewOf = ({
  digest: _digest,
  previousDigest: _previous,
  ...view
}: ApiKey): ApiKeyView => ({ ...view, ...quotaView(view, nowSeconds()) });

/** Drops this process's cached verdicts on a key, by its digest and any previous one. */
export function forgetKey(core: Core, key: ApiKey): void {
  core.validator.forget(key.digest);
  if (key.previousDigest !== null) core.validator.forget(key.previousDigest);
}

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

async function insert(core: Core, key: ApiKey, now: number, by?: Actor): Promise<void> {
  const s = core.settings();
  const max = key.kind === 'personal' ? s.maxKeysPerUser : key.kind === 'org' ? s.maxKeysPerOrg : 0;
  const created = keyEvent('api_key.created', key, by, { imported: key.imported });
  const outcome = await core.store.insertKey(key, max, now, [created]);
  if (outcome === 'limit_reached') {
    throw new LatchkeyError(
      'limit_reached',
      `This ${key.kind === 'org' ? 'organization' : 'user'} already has the maximum of ${max} active API ${max === 1 ? 'key' : 'keys'}. Revoke one first.`,
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

/** Scopes and allowlist as the audit log records them, when set. */
const policyDetails = (k: Partial<Pick<ApiKey, 'scopes' | 'allowedIps'>>) => ({
  ...(k.scopes === undefined || k.scopes === null ? {} : { scopes: k.scopes }),
  ...(k.allowedIps === undefined ? {} : { allowedIps: k.allowedIps }),
});

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
    scopes: core.scopes.choose(owner.kind, data.scopes, core.settings()),
    allowedIps: data.allowedIps ?? null,
    ...NO_QUOTA_OR_ROLL,
    ...quotaFieldsOf(data, now),
  };
  await insert(core, key, now, by);
  await audit(core, by, 'key.created', 'key', key.id, {
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
    ...policyDetails(key),
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
    scopes: core.scopes.choose(owner.kind, data.scopes, core.settings()),
    allowedIps: data.allowedIps ?? null,
    ...NO_QUOTA_OR_ROLL,
    ...quotaFieldsOf(data, now),
  };
  await insert(core, key, now, by);
  await audit(core, by, 'key.imported', 'key', key.id, {
    kind: key.kind,
    userId: key.userId,
    orgId: key.orgId,
    ...policyDetails(key),
  });
  return viewOf(key);
}

export async function requireKey(core: Core, keyId: unknown): Promise<ApiKey> {
  const key = isKeyId(keyId) ? await core.store.findKeyById(keyId) : null;
  if (!key) throw LatchkeyError.fieldNotFound('apiKeyId', 'no API key has this id');
  return key;
}

export async function fetchApiKey(core: Core, keyId: unknown): Promise<ApiKeyView> {
  return viewOf(await requireKey(core, keyId));
}

/** What updateApiKey may change: displayName, expiresAt (null = never), metadata, rateLimit and allowedIps (null removes them), scopes. */
export type KeyUpdate = z.input<typeof updateKeyInput>;

export async function updateApiKey(
  core: Core,
  keyId: unknown,
  input: unknown,
  by?: Actor,
): Promise<ApiKeyView> {
  const key = await requireKey(core, keyId);
  const { remaining, refill, ...parsed } = parseInput(updateKeyInput, input ?? {});
  const now = nowSeconds();
  checkExpiry(parsed.expiresAt, now);
  if (key.archivedAt !== null)
    throw new LatchkeyError('conflict', 'This API key is archived and can no longer be changed.');
  const quotaChanged = remaining !== undefined || refill !== undefined;
  const patch = {
    ...parsed,
    ...(parsed.scopes === undefined
      ? {}
      : { scopes: core.scopes.choose(key.kind, parsed.scopes, core.settings()) }),
    ...(quotaChanged ? quotaPatch(key, { remaining, refill }, now) : {}),
  };
  const fields = Object.keys(patch);
  const updated = await core.store.updateKey(key.id, patch, [
    keyEvent('api_key.updated', key, by, { fields }),
  ]);
  if (!updated)
    throw new LatchkeyError('conflict', 'This API key is archived and can no longer be changed.');
  forgetKey(core, key);
  // Uses this process leased count against the old quota; the new one replaces them.
  if (quotaChanged) core.validator.quotas.forget(key.id);
  await audit(core, by, 'key.updated', 'key', key.id, { fields, ...policyDetails(patch) });
  return viewOf(updated);
}

/** Archives (revokes) a key: it fails validation at once and stays listable as archived. */
export async function archiveApiKey(core: Core, keyId: unknown, by?: Actor): Promise<ApiKeyView> {
  const key = await requireKey(core, keyId);
  const archived = await core.store.archiveKey(key.id, nowSeconds(), [
    keyEvent('api_key.revoked', key, by, { cause: causeOf(by) }),
  ]);
  forgetKey(core, key);
  if (!archived) throw new LatchkeyError('conflict', 'This API key is already archived.');
  await audit(core, by, 'key.archived', 'key', key.id, { kind: key.kind });
  return viewOf(archived);
}
