import type { Request, Response, Router } from 'express';
import { LatchkeyError, type FieldErrors } from '../../core/errors';
import { isKeyId, isUuid } from '../../core/inputs';
import { dayOf, LATEST_EXPIRY_SECONDS, nowSeconds } from '../../core/time';
import type { KeyListQuery } from '../../core/key-lists';
import type { ApiKeyView } from '../../core/keys';
import type { JsonObject, KeyKind } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import type { KeyState } from '../../core/store';
import { policyPatch, scopeChoices } from '../key-policy-fields';
import { keyOrNull, keyPage, orgOrNull, userOrNull } from '../lookups';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf, pageParam, queryString, queryText } from './admin-session';
import { keyQuotaAndRoll } from './key-quota-roll';
import { throwProblems } from './settings-fields';

const PAGE_SIZE = 50;
const KINDS: KeyKind[] = ['personal', 'org', 'generic'];
const STATES: KeyState[] = ['current', 'expired', 'archived'];
const LABELS = {
  displayName: 'Name',
  expiresAt: 'Expires on',
  metadata: 'Metadata',
  scopes: 'Permissions',
  allowedIps: 'Allowed IP addresses',
};

// Matches no user or org: an unknown one in the filters lists no keys.
const NO_ONE = '00000000-0000-0000-0000-000000000000';

async function findKey(latchkey: Latchkey, id: unknown): Promise<ApiKeyView> {
  const key = isKeyId(id) ? await keyOrNull(latchkey, id) : null;
  if (!key) throw LatchkeyError.notFound('API key');
  return key;
}

const oneOf = <T extends string>(allowed: readonly T[], v: string | undefined): T | undefined =>
  allowed.includes(v as T) ? (v as T) : undefined;

/** The filters as typed, and the key query they mean (an unknown user or org matches nothing). */
async function readFilters(latchkey: Latchkey, req: Request) {
  const shown = {
    kind: oneOf(KINDS, queryText(req, 'kind')),
    state: oneOf(STATES, queryText(req, 'state')),
    user: queryText(req, 'user', 320) ?? '',
    org: queryText(req, 'org') ?? '',
    q: queryText(req, 'q', 100) ?? '',
  };
  let userId: string | undefined;
  if (shown.user) {
    const user = isUuid(shown.user)
      ? await userOrNull(latchkey, shown.user.toLowerCase())
      : await latchkey.fetchUserByEmail(shown.user);
    userId = user?.id ?? NO_ONE;
  }
  let orgId: string | undefined;
  if (shown.org) {
    orgId = isUuid(shown.org) ? shown.org.toLowerCase() : NO_ONE;
  }
  const filter: KeyListQuery = {
    kind: shown.kind,
    state: shown.state,
    userId,
    orgId,
    search: shown.q || undefined,
  };
  return { shown, filter };
}

/** The expiry as the date field shows it: empty for never, and for a day past 9999 it cannot hold. */
const expiryDayOf = (expiresAt: number | null): string =>
  expiresAt === null || expiresAt > LATEST_EXPIRY_SECONDS ? '' : dayOf(expiresAt);

/** Reads the edit form; only fields that change are sent, so an expired key can still be renamed. */
function readEditForm(body: unknown, key: ApiKeyView): JsonObject {
  const form = (body ?? {}) as Record<string, unknown>;
  const problems: FieldErrors = {};
  const patch: JsonObject = {};
  if (typeof form.displayName === 'string' && form.displayName !== key.displayName)
    patch.displayName = form.displayName;
  const expires = typeof form.expiresAt === 'string' ? form.expiresAt.trim() : '';
  const currentDay = expiryDayOf(key.expiresAt);
  if (expires !== currentDay) {
    if (!expires) patch.expiresAt = null;
    else if (
      /^\d{4}-\d{2}-\d{2}$/.test(expires) &&
      !Number.isNaN(Date.parse(`${expires}T00:00:00Z`))
    )
      patch.expiresAt = Date.parse(`${expires}T00:00:00Z`) / 1000;
    else problems.expiresAt = ['must be a date as YYYY-MM-DD, or empty for never'];
  }
  const metadata = typeof form.metadata === 'string' ? form.metadata.trim() : '';
  try {
    const parsed: unknown = JSON.parse(metadata || '{}');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      problems.metadata = ['must be a JSON object, like {"plan": "pro"}'];
    else if (JSON.stringify(parsed) !== JSON.stringify(key.metadata))
      patch.metadata = parsed as JsonObject;
  } catch {
    problems.metadata = ['is not valid JSON'];
  }
  throwProblems(problems);
  return patch;
}

/** Who each key belongs to, for the list: user emails and org names by id. */
export async function ownersOf(latchkey: Latchkey, keys: ApiKeyView[]) {
  const userIds = [...new Set(keys.flatMap((k) => (k.userId ? [k.userId] : [])))];
  const orgIds = [...new Set(keys.flatMap((k) => (k.orgId ? [k.orgId] : [])))];
  const [users, orgs] = await Promise.all([
    Promise.all(userIds.map((id) => userOrNull(latchkey, id))),
    Promise.all(orgIds.map((id) => orgOrNull(latchkey, id))),
  ]);
  return {
    users: Object.fromEntries(users.flatMap((u) => (u ? [[u.id, u.email]] : []))),
    orgs: Object.fromEntries(orgs.flatMap((o) => (o ? [[o.id, o.name]] : []))),
  };
}

/** Every key of every kind: filter, search, page, edit and revoke. Keys are created elsewhere. */
export function registerKeyRoutes(router: Router, latchkey: Latchkey): void {
  const quotaAndRoll = keyQuotaAndRoll(latchkey);
  quotaAndRoll.register(router);
  const keyPath = (req: Request, res: Response, id: string) => `${basePathOf(req, res)}/keys/${id}`;

  router.get('/keys', async (req, res) => {
    const { shown, filter } = await readFilters(latchkey, req);
    const paging = pageParam(req, PAGE_SIZE);
    const keys = await keyPage(latchkey, filter, paging);
    await renderPage(req, res, 'admin/keys', {
      title: 'Keys',
      shown,
      kinds: KINDS,
      states: STATES,
      keys,
      owners: await ownersOf(latchkey, keys.items),
      paging,
      pageSize: PAGE_SIZE,
      now: nowSeconds(),
      pageLink: (page: number) => `${basePathOf(req, res)}/keys${queryString({ ...shown, page })}`,
    });
  });

  const detailLocals = async (
    key: ApiKeyView,
    req: Request | null = null,
    body?: Record<string, unknown>,
  ) => ({
    ...(await quotaAndRoll.locals(key, req)),
    title: key.displayName,
    heldScopes: latchkey.scopes.heldBy(key, latchkey.getSettings()),
    scopeChoices: scopeChoices(
      latchkey.scopes,
      key.kind,
      latchkey.getSettings(),
      body,
      latchkey.scopes.heldBy(key, latchkey.getSettings()),
    ),
    key,
    now: nowSeconds(),
    owner: key.userId ? await userOrNull(latchkey, key.userId) : null,
    org: key.orgId ? await orgOrNull(latchkey, key.orgId) : null,
    expiresDay: expiryDayOf(key.expiresAt),
    metadataText: JSON.stringify(key.metadata, null, 2),
    fieldLabels: LABELS,
  });

  router.get('/keys/:keyId', async (req, res) => {
    const key = await findKey(latchkey, req.params.keyId);
    const locals = await detailLocals(key, req);
    if (locals.rolled) res.setHeader('Cache-Control', 'no-store');
    await renderPage(req, res, 'admin/key', locals);
  });

  router.post('/keys/:keyId', async (req, res) => {
    const key = await findKey(latchkey, req.params.keyId);
    const body = req.body as Record<string, unknown> | undefined;
    keepForm(res, 'admin/key', await detailLocals(key, null, body));
    consumeFormId(req);
    const patch = {
      ...readEditForm(req.body, key),
      ...policyPatch(body, {
        scopes: latchkey.scopes.heldBy(key, latchkey.getSettings()),
        allowedIps: key.allowedIps,
      }),
    };
    if (Object.keys(patch).length) await latchkey.updateApiKey(key.id, patch, actorOf(req, res));
    flash(req, 'success', Object.keys(patch).length ? 'Key saved.' : 'Nothing changed.');
    res.redirect(303, keyPath(req, res, key.id));
  });

  router.get('/keys/:keyId/revoke', async (req, res) => {
    const key = await findKey(latchkey, req.params.keyId);
    if (key.archivedAt !== null)
      throw new LatchkeyError('conflict', 'This key is already archived.');
    await renderPage(req, res, 'admin/confirm', {
      title: `Revoke “${key.displayName}”?`,
      lines: [
        `Anything using the ${key.kind} key ${key.hint} stops working at once. It stays listed as archived. This cannot be undone.`,
      ],
      action: `/keys/${key.id}/revoke`,
      button: 'Revoke key',
      back: `/keys/${key.id}`,
    });
  });

  router.post('/keys/:keyId/revoke', async (req, res) => {
    consumeFormId(req);
    const key = await findKey(latchkey, req.params.keyId);
    await latchkey.archiveApiKey(key.id, actorOf(req, res));
    flash(req, 'success', `Revoked “${key.displayName}”.`);
    res.redirect(303, keyPath(req, res, key.id));
  });
}
