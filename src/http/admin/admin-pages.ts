import express, { type Router } from 'express';
import { LatchkeyError } from '../../core/errors';
import type { Latchkey } from '../../latchkey';
import { LoginThrottle, type LoginThrottleOptions } from '../pages/login-throttle';
import { pageMachinery, type PageMachineryOptions } from '../pages/machinery';
import { basePathOf, pageErrorHandler } from '../pages/render';
import { registerAccessRoutes, registerAdminRoutes } from './access';
import { requireAdmin } from './admin-session';
import { registerAuditRoutes } from './audit';
import { brandAssetRoutes, brandingCspOrigins, currentBranding } from '../pages/branding';
import { registerBrandingRoutes } from './branding';
import { imageUploadBody } from './branding-upload';
import { registerHealthRoutes } from './health';
import { registerIntegrationKeyRoutes } from './integration-keys';
import { registerWebhookRoutes } from './webhooks';
import { registerKeyRoutes } from './keys';
import { registerLeakedKeyRoutes } from './leaked-keys';
import { registerOrgRoutes } from './orgs';
import { registerSettingsRoutes } from './settings';
import { registerUsageRoutes } from './usage';
import { registerUserRoutes } from './users';
import { ValidationTally } from './validation-tally';

export interface AdminPagesOptions {
  /**
   * Session timeouts and secret. The cookie is the dashboard's own (`latchkey.admin.sid`),
   * sent only under `cookiePath` (default '/admin': set it when mounting elsewhere).
   */
  session?: PageMachineryOptions;
  /** Failed admin sign-ins allowed per account and per IP. */
  loginThrottle?: LoginThrottleOptions;
  /** Where the hosted key pages are mounted, for the settings page's preview links (default '/'). */
  pagesBasePath?: string;
  /** Problems found at start-up (an open metrics endpoint, say), listed on the health page. */
  warnings?: readonly string[];
}

/**
 * The admin dashboard as one Express router: `app.use('/admin', createAdminPages(latchkey))`.
 * It has its own session cookie, scoped to where it is mounted, so an end user's
 * sign-in on the hosted pages never opens it and an admin's never opens those.
 */
export function createAdminPages(latchkey: Latchkey, options: AdminPagesOptions = {}): Router {
  const session = { cookieName: 'latchkey.admin.sid', cookiePath: '/admin', ...options.session };
  return buildArea(latchkey, options, session);
}

function buildArea(
  latchkey: Latchkey,
  options: AdminPagesOptions,
  session: PageMachineryOptions & { cookieName: string; cookiePath: string },
): Router {
  const area = express.Router();
  area.use('/branding/image', imageUploadBody());
  area.use('/branding/preview', brandingCspOrigins(latchkey));
  area.use(pageMachinery(latchkey.pageSessions, latchkey.logger, session));
  area.use((_req, res, next) => {
    res.locals.productName = 'Latchkey admin';
    res.locals.stylesheets = ['admin.css'];
    next();
  });
  registerAccessRoutes(area, latchkey, {
    throttle: new LoginThrottle(options.loginThrottle),
    cookieName: session.cookieName,
    cookiePath: session.cookiePath,
  });
  area.use(requireAdmin(latchkey));
  area.get('/', (req, res) => res.redirect(303, `${basePathOf(req, res)}/settings`));
  registerSettingsRoutes(area, latchkey, { pagesBasePath: options.pagesBasePath ?? '/' });
  area.use(brandAssetRoutes(latchkey, () => currentBranding(latchkey)));
  registerBrandingRoutes(area, latchkey);
  registerUserRoutes(area, latchkey);
  registerOrgRoutes(area, latchkey);
  registerKeyRoutes(area, latchkey);
  registerLeakedKeyRoutes(area, latchkey);
  registerIntegrationKeyRoutes(area, latchkey);
  registerWebhookRoutes(area, latchkey);
  registerUsageRoutes(area, latchkey);
  registerAuditRoutes(area, latchkey);
  // Counts validations for the health page from now on; the router lives as long as the app.
  const tally = new ValidationTally();
  latchkey.observe(tally);
  registerHealthRoutes(area, latchkey, { tally, warnings: options.warnings ?? [] });
  registerAdminRoutes(area, latchkey);
  area.use(() => {
    throw new LatchkeyError('not_found', 'There is no such admin page.');
  });
  area.use(pageErrorHandler(latchkey.logger, 'admin/error'));
  return area;
}
