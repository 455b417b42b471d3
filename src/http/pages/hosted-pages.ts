import express, { type Request, type Response, type Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import { isUuid } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { requireViewer, viewerOf, type ResolveUser } from './current-user';
import { orgPageAvailable, orgScope, personalPageAvailable, personalScope } from './key-scopes';
import { registerKeyDetailRoutes } from './key-detail-routes';
import { registerKeyRoutes } from './key-routes';
import { LoginThrottle, SignupLimit, type LoginThrottleOptions } from './login-throttle';
import { pageMachinery, type PageMachineryOptions } from './machinery';
import { basePathOf, pageErrorHandler, renderPage } from './render';
import { registerSignInRoutes } from './sign-in-routes';
import {
  brandAssetRoutes,
  brandingForRequest,
  checkBrandingOverride,
  currentBranding,
  type BrandingOverride,
} from './branding';
import { hostChrome, type HostChrome } from './branding-chrome';

export interface HostedPagesOptions {
  /**
   * Embedded mode: the host app's sign-in decides who the user is (a Latchkey
   * user id, or null). Latchkey's own sign-in pages are then not served.
   */
  resolveUser?: ResolveUser;
  /** Embedded mode: where to send a visitor who is not signed in (otherwise a 401 page). */
  loginUrl?: string;
  /** Session cookie and timeouts; see SessionOptions. */
  session?: PageMachineryOptions;
  /** Failed sign-in limits per account and per IP. */
  loginThrottle?: LoginThrottleOptions;
  /** The product's look (name, logo, colours, links); wins over the dashboard's branding settings. */
  branding?: BrandingOverride;
  /** Embedded mode: the host app's chrome, as absolute paths of EJS files; see docs/hosted-pages.md. */
  chrome?: HostChrome;
  /** Self sign-ups allowed per client IP per hour (default 10; 0 turns the limit off). */
  signupLimitPerHour?: number;
}

// Only these paths belong to the pages, so a router mounted at '/' leaves every
// other route of the host app (and its POST bodies and CSRF-free APIs) alone.
const PAGE_PATHS = /^\/(?:login|logout|signup|keys(?:\/.*)?|orgs(?:\/.*)?|assets\/.*)?$/;

/**
 * The hosted key-management pages as one Express router: mount it where customers
 * should find them, e.g. `app.use('/', createHostedPages(latchkey))`.
 */
export function createHostedPages(latchkey: Latchkey, options: HostedPagesOptions = {}): Router {
  const sessionOptions = { cookieName: 'latchkey.sid', cookiePath: '/', ...options.session };
  const branding = checkBrandingOverride(options.branding);
  const pages = express.Router();
  pages.use(
    brandingForRequest(() => currentBranding(latchkey, branding)),
    hostChrome(options.chrome),
  );
  pages.use(pageMachinery(latchkey.pageSessions, latchkey.logger, sessionOptions));
  pages.use(brandAssetRoutes(latchkey, () => currentBranding(latchkey, branding)));

  if (!options.resolveUser) {
    registerSignInRoutes(pages, latchkey, {
      throttle: new LoginThrottle(options.loginThrottle),
      signupLimit: new SignupLimit(options.signupLimitPerHour),
      cookieName: sessionOptions.cookieName,
      cookiePath: sessionOptions.cookiePath,
    });
  }

  pages.use(requireViewer(latchkey, options));
  pages.use((req, res, next) => {
    res.locals.nav = navFor(req, res, latchkey);
    next();
  });

  pages.get('/', async (req, res) => {
    const settings = latchkey.getSettings();
    const base = basePathOf(req, res);
    const viewer = viewerOf(res);
    if (personalPageAvailable(settings)) return res.redirect(303, `${base}/keys`);
    if (orgPageAvailable(settings) && viewer.memberships.length)
      return res.redirect(303, `${base}/orgs`);
    await renderPage(req, res, 'nothing-here', { title: 'API keys' });
  });

  pages.get('/orgs', async (req, res) => {
    const viewer = viewerOf(res);
    if (!orgPageAvailable(latchkey.getSettings()))
      throw new LatchkeyError('not_found', 'Organization API keys are not available here.');
    const orgs = viewer.memberships.map(({ org, membership }) => ({ org, role: membership.role }));
    if (orgs.length === 1)
      return res.redirect(303, `${basePathOf(req, res)}/orgs/${orgs[0]!.org.id}/keys`);
    await renderPage(req, res, 'orgs', { title: 'Organization API keys', orgs });
  });

  // The org picker is a plain GET form, so it works without JavaScript.
  pages.get('/orgs/go', (req, res) => {
    const orgId = req.query.orgId;
    const base = basePathOf(req, res);
    res.redirect(303, isUuid(orgId) ? `${base}/orgs/${orgId.toLowerCase()}/keys` : `${base}/orgs`);
  });

  registerKeyRoutes(pages, latchkey, '/keys', (_req, res) =>
    personalScope(viewerOf(res), latchkey.getSettings()),
  );
  registerKeyRoutes(pages, latchkey, '/orgs/:orgId/keys', (req, res) =>
    orgScope(viewerOf(res), latchkey.getSettings(), req.params.orgId),
  );
  // After the list routes: `/keys/new` must not be taken for a key id.
  registerKeyDetailRoutes(pages, latchkey, '/keys', (_req, res) =>
    personalScope(viewerOf(res), latchkey.getSettings()),
  );
  registerKeyDetailRoutes(pages, latchkey, '/orgs/:orgId/keys', (req, res) =>
    orgScope(viewerOf(res), latchkey.getSettings(), req.params.orgId),
  );
  pages.use((_req, _res) => {
    throw new LatchkeyError('not_found', 'There is no such page.');
  });
  pages.use(pageErrorHandler(latchkey.logger));

  // `pages` is mounted (not called from a closure) so it shows in the router stack,
  // where the security tests find every page route; other paths leave this router.
  const router = express.Router();
  router.use((req, _res, next) => next(PAGE_PATHS.test(req.path) ? undefined : 'router'), pages);
  return router;
}

function navFor(req: Request, res: Response, latchkey: Latchkey) {
  const settings = latchkey.getSettings();
  const base = basePathOf(req, res);
  const items: { href: string; label: string; current: boolean }[] = [];
  if (personalPageAvailable(settings))
    items.push({
      href: `${base}/keys`,
      label: 'My API keys',
      current: req.path.startsWith('/keys'),
    });
  if (orgPageAvailable(settings) && viewerOf(res).memberships.length)
    items.push({
      href: `${base}/orgs`,
      label: 'Organization API keys',
      current: req.path.startsWith('/orgs'),
    });
  return items;
}
