import express, { type Router } from 'express';
import type { Logger } from '../../logger';
import type { PageSessions } from '../../core/store';
import { PUBLIC_DIR } from './render';
import { cspNonce, csrfProtection, noStore, pageHelmet } from './security';
import { signInAgainAfterExpiredForm } from './expired-form';
import { pageSession, type SessionOptions } from './session';

export interface PageMachineryOptions extends SessionOptions {
  /** Largest form body accepted (default 20kb). */
  bodyLimit?: string;
}

/**
 * What every server-rendered page area needs, in order: CSP nonce and helmet,
 * static assets under `<mount>/assets`, no caching, form parsing, the session (kept in
 * `sessions`) and CSRF.
 * Mount it first in an area's router, add routes, then `pageErrorHandler` last.
 */
export function pageMachinery(
  sessions: PageSessions,
  logger: Logger,
  options: PageMachineryOptions = {},
): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    res.locals.basePath ??= req.baseUrl;
    next();
  });
  router.use(cspNonce, pageHelmet());
  router.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  router.use(noStore);
  router.use(express.urlencoded({ extended: false, limit: options.bodyLimit ?? '20kb' }));
  router.use(pageSession(sessions, logger, options));
  router.use(csrfProtection, signInAgainAfterExpiredForm);
  return router;
}
