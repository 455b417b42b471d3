import type { Router } from 'express';
import type { AuditEvent, JsonObject } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf, renderPage } from '../pages/render';
import { pageParam, queryString, queryText } from './admin-session';

const PAGE_SIZE = 50;
const TARGET_TYPES: AuditEvent['targetType'][] = ['key', 'user', 'org', 'membership', 'settings'];
// Nothing secret is written to the audit log; this is a second guard for what is shown.
const SECRET_NAME = /token|password|secret|digest|hash/i;

/** Detail values with anything secret-looking replaced, for display. */
export function safeDetails(details: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(details).map(([k, v]) => [k, SECRET_NAME.test(k) ? '[hidden]' : v]),
  );
}

/** Who did what, to what, when and from where: newest first, filterable, paged. */
export function registerAuditRoutes(router: Router, latchkey: Latchkey): void {
  router.get('/audit', async (req, res) => {
    const targetType = queryText(req, 'targetType');
    const shown = {
      action: queryText(req, 'action') ?? '',
      targetType: TARGET_TYPES.find((t) => t === targetType),
      target: queryText(req, 'target') ?? '',
      actor: queryText(req, 'actor') ?? '',
    };
    const paging = pageParam(req, PAGE_SIZE);
    const events = await latchkey.listAuditEvents(
      {
        action: shown.action || undefined,
        targetType: shown.targetType,
        targetId: shown.target || undefined,
        actor: shown.actor || undefined,
      },
      { pageSize: paging.limit, pageNumber: paging.page - 1 },
    );
    // Admins are few; showing their email instead of an id makes the log readable.
    const admins = await latchkey.listAdmins();
    await renderPage(req, res, 'admin/audit', {
      title: 'Audit log',
      actorLabels: Object.fromEntries(admins.map((a) => [`admin:${a.id}`, `admin ${a.email}`])),
      shown,
      targetTypes: TARGET_TYPES,
      events: {
        ...events,
        items: events.items.map((e) => ({ ...e, details: safeDetails(e.details) })),
      },
      paging,
      pageSize: PAGE_SIZE,
      pageLink: (page: number) => `${basePathOf(req, res)}/audit${queryString({ ...shown, page })}`,
    });
  });
}
