import type { Request, Router } from 'express';
import type { AuditEvent } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf, renderPage } from '../pages/render';
import { pageParam, queryString, queryText } from './admin-session';
import { auditRows } from './audit-rows';

export { safeDetails } from './audit-rows';

const PAGE_SIZE = 50;
const TARGET_TYPES: AuditEvent['targetType'][] = ['key', 'user', 'org', 'membership', 'settings'];
const KNOWN_ACTIONS = [
  'admin.created',
  'admin.deleted',
  'admin.signed_in',
  'integration_key.archived',
  'integration_key.created',
  'key.archived',
  'key.created',
  'key.imported',
  'key.rolled',
  'key.updated',
  'membership.added',
  'membership.removed',
  'membership.role_changed',
  'org.created',
  'org.deleted',
  'org.updated',
  'settings.updated',
  'user.created',
  'user.deleted',
  'user.signed_in',
  'user.updated',
];

/** What the filter form holds, as typed. */
function filterForm(req: Request) {
  const targetType = queryText(req, 'targetType');
  return {
    actor: queryText(req, 'actor') ?? '',
    action: queryText(req, 'action') ?? '',
    key: queryText(req, 'key') ?? '',
    user: queryText(req, 'user') ?? '',
    org: queryText(req, 'org') ?? '',
    targetType: TARGET_TYPES.find((t) => t === targetType),
    target: queryText(req, 'target') ?? '',
  };
}
type FilterForm = ReturnType<typeof filterForm>;

/**
 * The ids the typed filters stand for: a user or an admin by email, an org by name; null
 * (with what was not found) when one names nothing, so the page shows no events.
 */
async function resolveFilter(latchkey: Latchkey, form: FilterForm) {
  const involving: string[] = [];
  let actor = form.actor || undefined;
  const missing: string[] = [];
  if (actor?.includes('@')) {
    const email = actor.toLowerCase();
    const admin = (await latchkey.listAdmins()).find((a) => a.email.toLowerCase() === email);
    const user = admin ? null : await latchkey.fetchUserByEmail(actor);
    actor = admin ? `admin:${admin.id}` : user ? `user:${user.id}` : undefined;
    if (!actor) missing.push(`no admin or user has the email ${form.actor}`);
  }
  if (form.user.includes('@')) {
    const user = await latchkey.fetchUserByEmail(form.user);
    if (user) involving.push(user.id);
    else missing.push(`no user has the email ${form.user}`);
  } else if (form.user) involving.push(form.user);
  if (form.org) {
    const wanted = form.org.toLowerCase();
    const { items } = await latchkey.listOrgs({ nameContains: form.org }, { pageSize: 50 });
    const org = items.find(
      (o) => o.name.toLowerCase() === wanted || o.urlSafeName.toLowerCase() === wanted,
    );
    involving.push(org ? org.id : form.org);
  }
  if (form.key) involving.push(form.key);
  if (missing.length) return { missing };
  return {
    filter: {
      actor,
      action: form.action || undefined,
      targetType: form.targetType,
      targetId: form.target || undefined,
      involving: involving.length ? involving : undefined,
    },
  };
}

/** Who did what, to what, when and from where: newest first, filterable, paged, by name. */
export function registerAuditRoutes(router: Router, latchkey: Latchkey): void {
  router.get('/audit', async (req, res) => {
    const shown = filterForm(req);
    const paging = pageParam(req, PAGE_SIZE);
    const resolved = await resolveFilter(latchkey, shown);
    const events = resolved.filter
      ? await latchkey.listAuditEvents(resolved.filter, {
          pageSize: paging.limit,
          pageNumber: paging.page - 1,
        })
      : { items: [], total: 0 };
    const names = await latchkey.fetchAuditNames(events.items);
    await renderPage(req, res, 'admin/audit', {
      title: 'Audit log',
      shown,
      missing: resolved.missing ?? [],
      actions: KNOWN_ACTIONS,
      rows: auditRows(events.items, names),
      total: events.total,
      paging,
      pageSize: PAGE_SIZE,
      pageLink: (page: number) => `${basePathOf(req, res)}/audit${queryString({ ...shown, page })}`,
    });
  });
}
