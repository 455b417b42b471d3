import express, { type RequestHandler, type Router } from 'express';
import { brandingInput, DEFAULT_BRANDING, type Branding } from '../../core/branding';
import { parseInput } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { imageOrigins, imageSrc, themeCss, themeVersion } from './branding-theme';
import { basePathOf } from './render';

/** What a host app may pass as `createHostedPages(latchkey, { branding })`: it wins over the settings. */
export type BrandingOverride = Partial<Branding>;

/** Checks a host app's branding once, when the pages are created (contrast included). */
export function checkBrandingOverride(override: BrandingOverride | undefined): BrandingOverride {
  if (!override) return {};
  parseInput(brandingInput, { ...DEFAULT_BRANDING, ...override }, 'branding');
  return override;
}

/** The branding in force: the defaults, then the dashboard's settings, then the host app's. */
export const currentBranding = (latchkey: Latchkey, override: BrandingOverride = {}): Branding => ({
  ...DEFAULT_BRANDING,
  ...latchkey.getSettings().branding,
  ...override,
});

/** What the layout, header and footer show. */
export interface BrandView {
  productName: string;
  logoSrc: string | null;
  faviconSrc: string | null;
  backUrl: string | null;
  supportUrl: string | null;
  footerText: string;
}

export function brandView(branding: Branding, assetsPath: string): BrandView {
  return {
    productName: branding.productName,
    logoSrc: imageSrc(branding.logo, assetsPath),
    faviconSrc: imageSrc(branding.favicon, assetsPath),
    backUrl: branding.backUrl,
    supportUrl: branding.supportUrl,
    footerText: branding.footerText,
  };
}

/**
 * Before the page machinery, so even its own refusals (an expired form) show the brand:
 * picks this request's branding, the layout's locals for it, and the image origins the
 * CSP must allow (helmet reads `res.locals.brandImageOrigins` as it writes the header).
 */
export function brandingForRequest(getBranding: () => Branding): RequestHandler {
  return (req, res, next) => {
    const branding = getBranding();
    res.locals.branding = branding;
    res.locals.brandImageOrigins = imageOrigins(branding);
    res.locals.brand = brandView(branding, `${basePathOf(req, res)}/assets`);
    res.locals.productName = branding.productName;
    res.locals.stylesheets = ['hosted.css', `brand/theme.css?v=${themeVersion(branding)}`];
    next();
  };
}

/** `/assets/brand/theme.css` and `/assets/brand/image/:id`, served to anyone (they are public). */
export function brandAssetRoutes(latchkey: Latchkey, getBranding: () => Branding): Router {
  const router = express.Router();
  router.get('/assets/brand/theme.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.type('text/css').send(themeCss(getBranding()));
  });
  router.get('/assets/brand/image/:id', async (req, res, next) => {
    const asset = await latchkey.fetchBrandImage(req.params.id);
    if (!asset) return next();
    // The type was read from the bytes at upload; nosniff (helmet) keeps browsers to it.
    res.set('Cache-Control', 'public, max-age=86400, immutable');
    res.set('Content-Security-Policy', "default-src 'none'; sandbox");
    res.type(asset.contentType).send(Buffer.from(asset.bytes));
  });
  return router;
}

/** Only the CSP part of brandingForRequest, for the dashboard's preview of the pages. */
export const brandingCspOrigins =
  (latchkey: Latchkey): RequestHandler =>
  (_req, res, next) => {
    res.locals.brandImageOrigins = imageOrigins(currentBranding(latchkey));
    next();
  };
