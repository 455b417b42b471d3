import type { ErrorRequestHandler, Request, Response } from 'express';
import { safeReturnPath } from './current-user';
import { basePathOf, flash } from './render';
import { FormSessionGone } from './security';

// Fields worth typing again and harmless to keep: never a password, token or secret.
const KEPT_FIELDS = ['displayName', 'expiry', 'name', 'email'];
const MAX_KEPT_LENGTH = 500;

const SESSION_ENDED =
  'Your session ended before the form was sent, so nothing was changed. Sign in again if asked, then check the form and send it again.';

/** The same-site page the form was on (from Referer), as a path these pages may return to. */
function pageOfForm(req: Request, res: Response): string | null {
  const referer = req.get('referer');
  if (!referer) return null;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return null;
  }
  if (url.host !== req.get('host')) return null;
  return safeReturnPath(req, res, `${url.pathname}${url.search}`);
}

function keptValues(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    KEPT_FIELDS.flatMap((name) => {
      const value = body[name];
      return typeof value === 'string' && value.length <= MAX_KEPT_LENGTH ? [[name, value]] : [];
    }),
  );
}

/**
 * A browser's form sent after its session ended goes back to the page it came from,
 * which asks for sign-in when needed and returns there afterwards, with a message and
 * the harmless fields filled in again. Anything else keeps the 403.
 */
export const signInAgainAfterExpiredForm: ErrorRequestHandler = (err, req, res, next) => {
  if (!(err instanceof FormSessionGone) || req.accepts(['html', 'json']) !== 'html')
    return next(err);
  const page = pageOfForm(req, res);
  if (page) req.session.formDraft = { path: page.split('?')[0]!, values: keptValues(req) };
  flash(req, 'info', SESSION_ENDED);
  res.redirect(303, page ?? `${basePathOf(req, res)}/`);
};
