import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import helmet from 'helmet';
import { LRUCache } from 'lru-cache';
import { LatchkeyError } from '../../core/errors';

/** A fresh nonce per response; the CSP lets through only scripts that carry it. */
export const cspNonce: RequestHandler = (_req, res, next) => {
  res.locals.cspNonce = randomBytes(16).toString('base64');
  next();
};

/** helmet with a strict CSP: no inline script except by nonce, nothing from other origins. */
export const pageHelmet = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [(_req, res) => `'nonce-${String((res as Response).locals.cspNonce)}'`],
        styleSrc: ["'self'"],
        // Plus the origins of brand images given as https URLs (none by default).
        imgSrc: [
          "'self'",
          'data:',
          (_req, res) =>
            ((res as Response).locals.brandImageOrigins as string[] | undefined)?.join(' ') ||
            "'self'",
        ],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
  });

/** Pages hold one-time tokens and per-user data: never cache them, so Back cannot replay one. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export const CSRF_FIELD = '_csrf';

const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body?.[CSRF_FIELD];
    if (typeof fromBody === 'string') return fromBody;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});

const FORM_REFUSED =
  'This form has expired or did not come from this site. Nothing was changed; reload the page and try again.';

/**
 * The CSRF refusal of a form whose session is gone (timed out, signed out, ended by a
 * password change): the session holds no token and nobody is signed in to it. Pages
 * answer it like any other CSRF refusal, except that a browser is sent to sign in again
 * (see expired-form.ts).
 */
export class FormSessionGone extends LatchkeyError {
  constructor() {
    super('forbidden', FORM_REFUSED);
  }
}

/** Synchronizer-token CSRF check on every POST/PUT/PATCH/DELETE. */
export const csrfProtection: RequestHandler = (req, res, next) => {
  csrf.csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (!err) return next();
    const session = req.session as Partial<Record<'csrfToken' | 'userId' | 'adminId', unknown>>;
    const gone = session.csrfToken === undefined && !session.userId && !session.adminId;
    next(gone ? new FormSessionGone() : new LatchkeyError('forbidden', FORM_REFUSED));
  });
};

/** The session's CSRF token for a form (made on first use, so bare visits create no session). */
export const csrfTokenFor = (req: Request): string => csrf.generateToken(req);

const MAX_OPEN_FORMS = 20;
// Recently used form ids, per process: closes the gap where two copies of one
// submit arrive together and both read the session before either saves it.
const usedForms = new LRUCache<string, true>({ max: 50_000, ttl: 60 * 60_000 });

/** A one-use id for the forms of a page; `consumeFormId` accepts it once. */
export function issueFormId(req: Request): string {
  const id = randomBytes(16).toString('hex');
  const open = req.session.openForms ?? [];
  open.push(id);
  req.session.openForms = open.slice(-MAX_OPEN_FORMS);
  return id;
}

/**
 * Accepts a form submission once. A second submit of the same form, or a form
 * from a page too old to remember, is refused with a clear message and changes nothing.
 */
export function consumeFormId(req: Request): void {
  const id = (req.body as Record<string, unknown> | undefined)?.formId;
  const open = req.session.openForms ?? [];
  if (typeof id !== 'string' || !open.includes(id) || usedForms.has(id)) {
    throw new LatchkeyError(
      'conflict',
      'This form was already submitted or is out of date. Nothing was changed; check the page and try again.',
    );
  }
  usedForms.set(id, true);
  req.session.openForms = open.filter((f) => f !== id);
}
