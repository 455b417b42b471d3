import type { Request, Response, Router } from 'express';
import type { Branding } from '../../core/branding';
import { isLatchkeyError, LatchkeyError, type FieldErrors } from '../../core/errors';
import type { Latchkey } from '../../latchkey';
import { brandView, currentBranding } from '../pages/branding';
import { themeVersion } from '../pages/branding-theme';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { actorOf } from './admin-session';
import { previewKeys } from './branding-preview';

const TEXT_FIELDS = ['productName', 'footerText'] as const;
const OPTIONAL_FIELDS = ['primaryColorDark', 'accentColorDark', 'backUrl', 'supportUrl'] as const;

export const BRANDING_LABELS: Record<string, string> = {
  productName: 'Product name',
  logo: 'Logo',
  logoUrl: 'Logo URL',
  favicon: 'Favicon',
  primaryColor: 'Primary colour',
  accentColor: 'Accent colour',
  primaryColorDark: 'Primary colour, dark scheme',
  accentColorDark: 'Accent colour, dark scheme',
  backUrl: '“Back to” link',
  supportUrl: 'Support link',
  footerText: 'Footer text',
};

/** The branding form as a settings patch: blank optional fields mean "none" (or "derive it"). */
function readBrandingForm(body: Record<string, unknown>): Partial<Branding> {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
  const patch: Partial<Branding> = {
    primaryColor: text('primaryColor'),
    accentColor: text('accentColor'),
  };
  for (const name of TEXT_FIELDS) patch[name] = text(name);
  for (const name of OPTIONAL_FIELDS) patch[name] = text(name) || null;
  const logoUrl = text('logoUrl');
  if (logoUrl) patch.logo = { url: logoUrl };
  if (body.removeLogo === 'on') patch.logo = null;
  if (body.removeFavicon === 'on') patch.favicon = null;
  return patch;
}

/** Field errors named as the form names them ("primaryColor", not "branding.primaryColor"). */
function asFormError(err: unknown): unknown {
  if (!isLatchkeyError(err) || err.code !== 'invalid_input') return err;
  const fields: FieldErrors = Object.create(null);
  for (const [name, messages] of Object.entries(err.fields)) {
    const field = name.replace(/^branding\./, '').replace(/^logo\.url$/, 'logoUrl');
    fields[field] = messages;
  }
  return new LatchkeyError('invalid_input', err.message, fields);
}

/** The dashboard's branding page: the hosted pages' look, an image upload, and a preview. */
export function registerBrandingRoutes(router: Router, latchkey: Latchkey): void {
  const locals = (req: Request, res: Response, draft: Partial<Branding> = {}) => {
    const current = { ...currentBranding(latchkey), ...draft };
    return {
      title: 'Branding',
      current,
      fieldLabels: BRANDING_LABELS,
      logoSrc: brandView(current, `${basePathOf(req, res)}/assets`).logoSrc,
    };
  };

  router.get('/branding', async (req, res) => {
    await renderPage(req, res, 'admin/branding', locals(req, res));
  });

  router.post('/branding', async (req, res) => {
    consumeFormId(req);
    const patch = readBrandingForm(req.body as Record<string, unknown>);
    keepForm(res, 'admin/branding', locals(req, res, patch));
    try {
      await latchkey.updateSettings({ branding: patch }, actorOf(req, res));
    } catch (err) {
      throw asFormError(err);
    }
    flash(req, 'success', 'Branding saved. The hosted pages show it now.');
    res.redirect(303, `${basePathOf(req, res)}/branding`);
  });

  router.post('/branding/image', async (req, res) => {
    consumeFormId(req);
    keepForm(res, 'admin/branding', locals(req, res));
    const which = (req.body as Record<string, unknown>).which === 'favicon' ? 'favicon' : 'logo';
    const file = (res.locals.uploadedFiles as Record<string, Buffer> | undefined)?.image;
    const actor = actorOf(req, res);
    let uploaded: { assetId: string };
    try {
      uploaded = await latchkey.uploadBrandImage(new Uint8Array(file ?? []), actor);
    } catch (err) {
      throw isLatchkeyError(err) && err.fields.logo
        ? LatchkeyError.field(which, err.fields.logo.join(', '))
        : err;
    }
    await latchkey.updateSettings({ branding: { [which]: { assetId: uploaded.assetId } } }, actor);
    flash(req, 'success', which === 'logo' ? 'Logo saved.' : 'Favicon saved.');
    res.redirect(303, `${basePathOf(req, res)}/branding`);
  });

  router.get('/branding/preview', async (req, res) => {
    await renderPage(req, res, 'keys', previewLocals(req, res, latchkey, previewKeys()));
  });

  router.get('/branding/preview/sign-in', async (req, res) => {
    await renderPage(req, res, 'login', {
      ...previewLocals(req, res, latchkey, {}),
      title: 'Sign in',
      signedOut: false,
      next: '',
      signupEnabled: false,
    });
  });
}

/** The hosted layout with the saved branding, read-only, inside the dashboard. */
function previewLocals(req: Request, res: Response, latchkey: Latchkey, page: object) {
  const branding = currentBranding(latchkey);
  const base = basePathOf(req, res);
  return {
    ...page,
    preview: true,
    brand: brandView(branding, `${base}/assets`),
    productName: branding.productName,
    stylesheets: ['hosted.css', `brand/theme.css?v=${themeVersion(branding)}`],
    nav: [
      {
        href: `${base}/branding/preview`,
        label: 'My API keys',
        current: req.path.endsWith('preview'),
      },
    ],
    signedInAs: 'customer@example.com',
    signOutPath: null,
    url: () => `${base}/branding/preview`,
  };
}
