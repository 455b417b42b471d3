import type { Request, RequestHandler, Response } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isUuid } from '../../core/inputs';
import type { Membership, Org, User } from '../../core/types';
import type { Latchkey } from '../../latchkey';
import { userOrNull } from '../lookups';
import { basePathOf, flash } from './render';

/** The host app's own sign-in, in embedded mode: the Latchkey user id of this request, or null. */
export type ResolveUser = (req: Request) => Promise<string | null> | string | null;

export interface Viewer {
  user: User;
  memberships: { membership: Membership; org: Org }[];
}

export const viewerOf = (res: Response): Viewer => res.locals.viewer as Viewer;

/** Why a user may not use the pages, in words they can act on; null when they may. */
export function accountProblem(user: User): string | null {
  if (!user.enabled)
    return 'This account is disabled. Ask the people who run this service to enable it.';
  if (user.locked)
    return 'This account is locked. Ask the people who run this service to unlock it.';
  return null;
}

/**
 * A path inside these pages (with an optional plain query) to return to after signing in;
 * anything else, such as `//evil.example` or `https://evil.example`, is ignored.
 */
export function safeReturnPath(req: Request, res: Response, candidate: unknown): string | null {
  if (typeof candidate !== 'string' || candidate.length > 500) return null;
  if (!/^\/(?![/\\])[A-Za-z0-9\-._~/%]*(\?[A-Za-z0-9\-._~%&=+]*)?$/.test(candidate)) return null;
  const base = basePathOf(req, res);
  return candidate.startsWith(`${base}/`) || candidate === base ? candidate : null;
}

/**
 * Finds who is asking: the session's user, or `resolveUser(req)` in embedded mode.
 * Without one, browsers go to the sign-in page (or `loginUrl`) and JSON clients get 401.
 * A user disabled or locked since signing in is signed out and told why.
 */
export function requireViewer(
  latchkey: Latchkey,
  options: { resolveUser?: ResolveUser; loginUrl?: string },
): RequestHandler {
  return async (req, res, next) => {
    const userId = options.resolveUser
      ? await options.resolveUser(req)
      : (req.session.userId ?? null);
    const user = isUuid(userId) ? await userOrNull(latchkey, userId) : null;
    const problem = user ? accountProblem(user) : null;
    if (!user || problem) {
      if (req.session.userId) {
        delete req.session.userId;
        if (problem) flash(req, 'error', problem);
      }
      if (problem && options.resolveUser) throw new LatchkeyError('forbidden', problem);
      const loginUrl =
        options.loginUrl ??
        (options.resolveUser
          ? null
          : `${basePathOf(req, res)}/login?next=${encodeURIComponent(req.originalUrl)}`);
      if (req.method === 'GET' && loginUrl && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, loginUrl);
        return;
      }
      throw new LatchkeyError('unauthorized', 'Sign in to manage your API keys.');
    }
    const viewer: Viewer = { user, memberships: await latchkey.fetchOrgsOfUser(user.id) };
    res.locals.viewer = viewer;
    res.locals.signedInAs = user.email;
    res.locals.signOutPath = options.resolveUser ? null : `${basePathOf(req, res)}/logout`;
    next();
  };
}
