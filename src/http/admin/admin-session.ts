import type { Request, RequestHandler, Response } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isUuid } from '../../core/inputs';
import type { Actor } from '../../core/context';
import type { Admin } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { basePathOf } from '../pages/render';

/** What the admin pages keep in their own session (a different cookie from the hosted pages). */
declare module 'express-session' {
  interface SessionData {
    /** The signed-in admin. End-user sessions never carry this. */
    adminId?: string;
    /** Unix seconds until which this browser may register the first admin (after a setup link). */
    setupUntil?: number;
  }
}

export const adminOf = (res: Response): Admin => res.locals.admin as Admin;

export const actorOf = (req: Request, res: Response): Actor => ({
  actor: `admin:${adminOf(res).id}`,
  ip: req.ip ?? null,
});

const NAV = [
  ['/settings', 'Settings'],
  ['/branding', 'Branding'],
  ['/users', 'Users'],
  ['/orgs', 'Orgs'],
  ['/keys', 'Keys'],
  ['/integration-keys', 'Integration keys'],
  ['/webhooks', 'Webhooks'],
  ['/usage', 'Usage'],
  ['/audit', 'Audit log'],
  ['/admins', 'Admins'],
  ['/health', 'Health'],
] as const;

/**
 * Lets through only a signed-in admin; browsers without one go to the admin sign-in.
 * The hosted pages' `userId` means nothing here, so an end user's session opens nothing.
 */
export function requireAdmin(latchkey: Latchkey): RequestHandler {
  return async (req, res, next) => {
    const adminId = req.session.adminId;
    const admin = isUuid(adminId) ? await latchkey.fetchAdmin(adminId) : null;
    const base = basePathOf(req, res);
    if (!admin) {
      if (adminId) delete req.session.adminId;
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, `${base}/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      throw new LatchkeyError('unauthorized', 'Sign in as an admin to use the dashboard.');
    }
    res.locals.admin = admin;
    res.locals.signedInAs = admin.email;
    res.locals.signOutPath = `${base}/logout`;
    res.locals.nav = NAV.map(([path, label]) => ({
      href: `${base}${path}`,
      label,
      current: req.path === path || req.path.startsWith(`${path}/`),
    }));
    next();
  };
}

/** Page number from `?page=` (1-based in the URL); anything odd means the first page. */
export function pageParam(
  req: Request,
  pageSize: number,
): { limit: number; offset: number; page: number } {
  const raw = typeof req.query.page === 'string' ? req.query.page : '1';
  const page = /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
  return { limit: pageSize, offset: (page - 1) * pageSize, page };
}

/** A query-string value as a trimmed string, or undefined when absent or not a plain string. */
export function queryText(req: Request, name: string, max = 200): string | undefined {
  const v = req.query[name];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t && t.length <= max ? t : undefined;
}

/** Builds `?a=1&b=2` from the non-empty entries, for paging links that keep the filters. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]))}`
    : '';
}
