import { z } from 'zod';
import {
  accentProblems,
  darkAccentFor,
  darkPrimaryFor,
  darkPrimaryProblems,
  HEX_COLOUR,
  primaryProblems,
} from './branding-colours';

/** How the hosted pages present the product that installs Latchkey to its customers. */

/** An uploaded image kept in the store, or an https URL the pages' CSP then allows. */
export type BrandImage = { assetId: string } | { url: string };

export interface Branding {
  /** Shown in the header, page titles and messages; '' shows a neutral "API keys". */
  productName: string;
  logo: BrandImage | null;
  favicon: BrandImage | null;
  /** Buttons and links: `#rrggbb`, at least 4.5:1 against white. */
  primaryColor: string;
  /** The header band, under white text. */
  accentColor: string;
  /** Dark-scheme variants; null derives one from the light colour. */
  primaryColorDark: string | null;
  accentColorDark: string | null;
  /** Where "Back to <product>" leads (an http(s) URL or a path); null hides the link. */
  backUrl: string | null;
  supportUrl: string | null;
  footerText: string;
}

export const DEFAULT_BRANDING: Branding = {
  productName: '',
  logo: null,
  favicon: null,
  primaryColor: '#1f5fd1',
  accentColor: '#1d2330',
  primaryColorDark: null,
  accentColorDark: null,
  backUrl: null,
  supportUrl: null,
  footerText: '',
};

export const MAX_PRODUCT_NAME = 60;
export const MAX_FOOTER_TEXT = 200;

const colour = z
  .string()
  .trim()
  .toLowerCase()
  .regex(HEX_COLOUR, 'must be a colour written #rrggbb, like #1f5fd1');

const httpsUrl = z
  .string()
  .trim()
  .max(2000, 'is too long')
  .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:', {
    message: 'must be an https:// URL',
  });

/** An absolute http(s) URL or a path on this site ("/account"), never javascript: and the like. */
const linkUrl = z
  .string()
  .trim()
  .max(2000, 'is too long')
  .refine(
    (v) =>
      /^\/(?![/\\])/.test(v) ||
      (URL.canParse(v) && ['https:', 'http:'].includes(new URL(v).protocol)),
    { message: 'must be an http(s) URL or a path starting with /' },
  );

const brandImage = z.union([
  z
    .object({ assetId: z.string().regex(/^[0-9a-f-]{36}$/, 'must be an uploaded image id') })
    .strict(),
  z.object({ url: httpsUrl }).strict(),
]);

const brandingFields = z
  .object({
    productName: z
      .string()
      .trim()
      .max(MAX_PRODUCT_NAME, `must be at most ${MAX_PRODUCT_NAME} characters`),
    logo: brandImage.nullable(),
    favicon: brandImage.nullable(),
    primaryColor: colour,
    accentColor: colour,
    primaryColorDark: colour.nullable(),
    accentColorDark: colour.nullable(),
    backUrl: linkUrl.nullable(),
    supportUrl: linkUrl.nullable(),
    footerText: z
      .string()
      .trim()
      .max(MAX_FOOTER_TEXT, `must be at most ${MAX_FOOTER_TEXT} characters`),
  })
  .strict();

/** Every colour the pages will use, each checked where it is shown (WCAG AA, both schemes). */
export function brandingContrastProblems(b: Branding): Partial<Record<keyof Branding, string>> {
  const found: Partial<Record<keyof Branding, string>> = {};
  const add = (field: keyof Branding, problems: string[]) => {
    if (problems.length) found[field] = problems.join('; ');
  };
  add('primaryColor', primaryProblems(b.primaryColor));
  add('accentColor', accentProblems(b.accentColor));
  if (b.primaryColorDark) add('primaryColorDark', darkPrimaryProblems(b.primaryColorDark));
  if (b.accentColorDark)
    add('accentColorDark', accentProblems(b.accentColorDark, 'dark-scheme accent colour'));
  return found;
}

/** The branding a settings patch may carry: any of its fields, merged over the current ones. */
export const brandingPatch = brandingFields.partial().strict();

/**
 * A complete branding, checked field by field and then for contrast, so a colour that
 * fails is refused with the ratio it has. Used by the settings update and by
 * `createHostedPages(latchkey, { branding })`.
 */
export const brandingInput = brandingFields.superRefine((b, ctx) => {
  for (const [field, message] of Object.entries(brandingContrastProblems(b)))
    ctx.addIssue({ code: 'custom', path: [field], message });
});

/** The colours the pages use in each scheme, dark variants filled in. */
export function brandPalette(b: Branding) {
  return {
    light: { primary: b.primaryColor, accent: b.accentColor },
    dark: {
      primary: b.primaryColorDark ?? darkPrimaryFor(b.primaryColor),
      accent: b.accentColorDark ?? darkAccentFor(b.accentColor),
    },
  };
}
