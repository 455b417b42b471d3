import { createHash } from 'node:crypto';
import { brandPalette, type BrandImage, type Branding } from '../../core/branding';

/**
 * The brand colours as CSS custom properties, for a stylesheet served from the pages'
 * own origin (so the CSP needs no inline style). The colours were checked as #rrggbb
 * by the core, so nothing else can reach the CSS.
 */
export function themeCss(branding: Branding): string {
  const { light, dark } = brandPalette(branding);
  return `/* Brand colours for the hosted pages. */
:root {
  --primary: ${light.primary};
  --header-bg: ${light.accent};
}
@media (prefers-color-scheme: dark) {
  :root {
    --primary: ${dark.primary};
    --header-bg: ${dark.accent};
  }
}
`;
}

/** Changes whenever the theme does, so the stylesheet link can be cached. */
export const themeVersion = (branding: Branding): string =>
  createHash('sha256').update(themeCss(branding)).digest('hex').slice(0, 12);

const HTTPS_ORIGIN = /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i;

/** The origins of brand images given as URLs, for the CSP's img-src (stored ones are 'self'). */
export function imageOrigins(branding: Branding): string[] {
  const origins = [branding.logo, branding.favicon].flatMap((image) => {
    if (!image || !('url' in image)) return [];
    const origin = new URL(image.url).origin;
    return HTTPS_ORIGIN.test(origin) ? [origin] : [];
  });
  return [...new Set(origins)];
}

/** Where a page finds a brand image: the stored copy under the assets path, or its URL. */
export function imageSrc(image: BrandImage | null, assetsPath: string): string | null {
  if (!image) return null;
  return 'assetId' in image ? `${assetsPath}/brand/image/${image.assetId}` : image.url;
}
