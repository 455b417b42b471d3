import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../../core/context';
import { LatchkeyError } from '../../core/errors';
import { displayName, isKeyId, parseInput } from '../../core/inputs';
import { dayOf, EXPIRY_LABELS, expiryFromChoice, nowSeconds } from '../../core/time';
import type { ApiKeyView } from '../../core/keys';
import type { ExpiryChoice, Settings } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { keyOrNull, keyPage, userOrNull } from '../lookups';
import { viewerOf } from './current-user';
import { policyInput, scopeChoices } from '../key-policy-fields';
import { requireManager, scopeOwns, type KeyScope } from './key-scopes';
import { basePathOf, flash, keepForm, renderPage } from './render';
import { OneTimeSecrets } from './one-time-secrets';
import { registerLeakReportRoutes } from './leak-report-routes';
import { consumeFormId } from './security';

/** Resolves the scope of a request, throwing not_found when its page is off or not the viewer's. */
export type ScopeResolver = (req: Request, res: Response) => KeyScope;

/** A key just created, shown once on its list page. */
interface NewKey {
  keyId: string;
  token: string;
  displayName: string;
  scope: string;
}

const LIST_LIMIT = 100;

/** A 1-based page number from the query string; anything else is page 1. */
function pageNumber(raw: unknown): number {
  return typeof raw === 'string' && /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
}
const pageAt = (page: number) => ({ limit: LIST_LIMIT, offset: (page - 1) * LIST_LIMIT });
const FIELD_LABELS = {
  displayName: 'Name',
  expiry: 'Expires',
  expiresOn: 'Expiry date',
  scopes: 'Permissions',
  allowedIps: 'Allowed IP addresses',
};

const actorOf = (req: Request, res: Response): Actor => ({
  actor: `user:${viewerOf(res).user.id}`,
  ip: req.ip ?? null,
});

function createForm(settings: Settings) {
  return z.object({
    displayName: z.preprocess((v) => v ?? '', displayName),
    expiry: z
      .string({ error: 'choose when the key expires' })
      .refine((v): v is ExpiryChoice => (settings.expiryChoices as string[]).includes(v), {
        message: 'choose one of the offered expiry times',
      }),
    expiresOn: z.string().optional(),
  });
}

/**
 * The expiry a create form asks for: a date when one is given (no later than the longest
 * choice offered), else the chosen preset.
 */
function expiryOfForm(
  form: { expiry: ExpiryChoice; expiresOn?: string },
  settings: Settings,
  now: number,
): number | null {
  const day = (form.expiresOn ?? '').trim();
  if (day === '') return expiryFromChoice(form.expiry, now);
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) / 1000 : NaN;
  if (Number.isNaN(at)) throw LatchkeyError.field('expiresOn', 'must be a date as YYYY-MM-DD');
  if (at <= now) throw LatchkeyError.field('expiresOn', 'must be in the future');
  const latest = latestExpiry(settings, now);
  if (latest !== null && at > latest)
    throw LatchkeyError.field('expiresOn', `must be no later than ${dayOf(latest)}`);
  return at;
}

/** The latest expiry the offered choices allow; null when "never" is offered. */
function latestExpiry(settings: Settings, now: number): number | null {
  const ends = settings.expiryChoices.map((c) => expiryFromChoice(c, now));
  return ends.includes(null) ? null : Math.max(...(ends as number[]));
}

function newFormLocals(
  scope: KeyScope,
  settings: Settings,
  latchkey: Latchkey,
  body?: Record<string, unknown>,
) {
  return {
    scopeChoices: scopeChoices(latchkey.scopes, scope.kind, settings, body),
    title: `Create an API key · ${scope.heading}`,
    scope,
    fieldLabels: FIELD_LABELS,
    expiryOptions: settings.expiryChoices.map((c) => ({ value: c, label: EXPIRY_LABELS[c] })),
    defaultExpiry: settings.defaultExpiry,
    latestExpiryDay: ((latest) => (latest === null ? '' : dayOf(latest)))(
      latestExpiry(settings, nowSeconds()),
    ),
  };
}

/** The key with this id if the scope shows it; otherwise "not found", whoever owns it. */
async function ownedKey(latchkey: Latchkey, scope: KeyScope, keyId: unknown): Promise<ApiKeyView> {
  const key = isKeyId(keyId) ? await keyOrNull(latchkey, keyId) : null;
  if (!key || !scopeOwns(scope, key)) throw LatchkeyError.notFound('API key');
  return key;
}

async function creatorEmails(
  latchkey: Latchkey,
  keys: ApiKeyView[],
): Promise<Record<string, string>> {
  const ids = [...new Set(keys.map((k) => k.userId).filter((id): id is string => id !== null))];
  const users = await Promise.all(ids.map((id) => userOrNull(latchkey, id)));
  return Object.fromEntries(users.flatMap((u) => (u ? [[u.id, u.email]] : [])));
}

/**
 * List, create and revoke routes for one kind of key page, at `prefix`
 * ('/keys' or '/orgs/:orgId/keys'); `resolve` decides whose keys and who may change them.
 */
export function registerKeyRoutes(
  router: Router,
  latchkey: Latchkey,
  prefix: string,
  resolve: ScopeResolver,
): void {
  const newTokens = new OneTimeSecrets<NewKey>();
  const listPath = (req: Request, res: Response, scope: KeyScope) =>
    `${basePathOf(req, res)}${scope.path}`;

  router.get(prefix, async (req, res) => {
    const scope = resolve(req, res);
    const owner =
      scope.kind === 'personal' ? { userId: scope.owner.userId } : { orgId: scope.owner.orgId };
    const filter = { ...owner, kind: scope.kind };
    const currentPage = pageNumber(req.query.page);
    const archivedPage = pageNumber(req.query.revokedPage);
    const [current, archived] = await Promise.all([
      keyPage(latchkey, { ...filter, archived: false }, pageAt(currentPage)),
      keyPage(latchkey, { ...filter, archived: true }, pageAt(archivedPage)),
    ]);
    const base = listPath(req, res, scope);
    const linkFor = (name: 'page' | 'revokedPage') => (n: number) => {
      const pages = { page: currentPage, revokedPage: archivedPage, [name]: n };
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(pages)) if (v > 1) query.set(k, String(v));
      return query.size ? `${base}?${query}` : base;
    };
    // The new token is shown on this one page load, then forgotten.
    const newKey = newTokens.take(req, (pending) => pending.scope === scope.path);
    if (newKey) res.setHeader('Cache-Control', 'no-store');
    const viewer = viewerOf(res);
    await renderPage(req, res, 'keys', {
      title: scope.heading,
      scope,
      current,
      archived,
      currentPaging: { page: currentPage, pageSize: LIST_LIMIT, linkFor: linkFor('page') },
      archivedPaging: { page: archivedPage, pageSize: LIST_LIMIT, linkFor: linkFor('revokedPage') },
      newKey,
      now: nowSeconds(),
      expiryWarningDays: latchkey.getSettings().expiryWarningDays,
      creators:
        scope.kind === 'org'
          ? await creatorEmails(latchkey, [...current.items, ...archived.items])
          : {},
      orgs: scope.kind === 'org' ? viewer.memberships.map((m) => m.org) : [],
      // The scopes column shows only when the product declares scopes.
      scopesOf: latchkey.scopes.isEmpty
        ? null
        : (key: ApiKeyView) => latchkey.scopes.heldBy(key, latchkey.getSettings()),
    });
  });

  router.get(`${prefix}/new`, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    res.locals.backHref = listPath(req, res, scope);
    await renderPage(req, res, 'key-new', newFormLocals(scope, latchkey.getSettings(), latchkey));
  });

  router.post(prefix, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    res.locals.backHref = listPath(req, res, scope);
    consumeFormId(req);
    const settings = latchkey.getSettings();
    const body = req.body as Record<string, unknown> | undefined;
    keepForm(res, 'key-new', newFormLocals(scope, settings, latchkey, body));
    const form = parseInput(createForm(settings), req.body);
    const created = await latchkey.createApiKey(
      {
        ...scope.owner,
        displayName: form.displayName,
        expiresAt: expiryOfForm(form, settings, nowSeconds()),
        ...policyInput(body),
      },
      actorOf(req, res),
    );
    newTokens.hold(req, {
      keyId: created.apiKeyId,
      token: created.apiKeyToken,
      displayName: created.key.displayName,
      scope: scope.path,
    });
    res.redirect(303, listPath(req, res, scope));
  });

  router.get(`${prefix}/:keyId/revoke`, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    res.locals.backHref = listPath(req, res, scope);
    const key = await ownedKey(latchkey, scope, req.params.keyId);
    if (key.archivedAt !== null)
      throw new LatchkeyError('conflict', `“${key.displayName}” is already revoked.`);
    await renderPage(req, res, 'key-revoke', { title: `Revoke ${key.displayName}`, scope, key });
  });

  router.post(`${prefix}/:keyId/revoke`, async (req, res) => {
    const scope = resolve(req, res);
    requireManager(scope);
    res.locals.backHref = listPath(req, res, scope);
    consumeFormId(req);
    const key = await ownedKey(latchkey, scope, req.params.keyId);
    if (key.archivedAt !== null)
      throw new LatchkeyError('conflict', `“${key.displayName}” is already revoked.`);
    await latchkey.archiveApiKey(key.id, actorOf(req, res));
    flash(req, 'success', `Revoked “${key.displayName}”. Anything using it stops working now.`);
    res.redirect(303, listPath(req, res, scope));
  });

  registerLeakReportRoutes(router, latchkey, prefix, {
    resolve,
    ownedKey: (scope, keyId) => ownedKey(latchkey, scope, keyId),
    listPath,
    actorOf,
  });
}
