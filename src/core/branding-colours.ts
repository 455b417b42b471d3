/** Colour arithmetic for branding: WCAG contrast ratios and the dark-scheme variants. */

export const HEX_COLOUR = /^#[0-9a-f]{6}$/;

/** WCAG AA for normal text (and the text on buttons). */
export const MIN_CONTRAST = 4.5;

/** The backgrounds the hosted pages put brand colours on, in each scheme. */
export const SURFACES = {
  light: { page: '#f6f7fa', card: '#ffffff', onColour: '#ffffff' },
  dark: { page: '#12151c', card: '#1c2130', onColour: '#ffffff', onPrimary: '#12151c' },
} as const;

type Rgb = [number, number, number];

function rgbOf(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function hexOf([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

function luminance(hex: string): number {
  const [r, g, b] = rgbOf(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Rounded down, so a ratio shown as 4.50 really is at least 4.5. */
export const formatRatio = (ratio: number): string => `${Math.floor(ratio * 100) / 100}:1`;

/** `colour` moved `amount` (0..1) of the way towards `target`. */
export function mix(colour: string, target: string, amount: number): string {
  const a = rgbOf(colour);
  const b = rgbOf(target);
  return hexOf(a.map((c, i) => c + (b[i]! - c) * amount) as Rgb);
}

/**
 * A primary colour for the dark scheme: the light one lightened just enough that links
 * on dark cards and dark text on its buttons reach the minimum contrast.
 */
export function darkPrimaryFor(primary: string): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(primary, '#ffffff', step / 20);
    if (darkPrimaryProblems(candidate).length === 0) return candidate;
  }
  return '#ffffff';
}

/** The header band in the dark scheme: the accent, a little deeper (white text only gains). */
export const darkAccentFor = (accent: string): string => mix(accent, '#000000', 0.3);

export interface ContrastCheck {
  what: string;
  fg: string;
  on: string;
  bgName: string;
}

function failures(checks: ContrastCheck[]): string[] {
  return checks.flatMap(({ what, fg, on, bgName }) => {
    const ratio = contrastRatio(fg, on);
    return ratio >= MIN_CONTRAST
      ? []
      : [
          `${what} ${fg} on ${bgName} has contrast ${formatRatio(ratio)}; at least ${MIN_CONTRAST}:1 is needed`,
        ];
  });
}

/** Buttons (white text) and links (on the page and on cards) in the light scheme. */
export const primaryProblems = (primary: string): string[] =>
  failures([
    { what: 'primary colour', fg: primary, on: SURFACES.light.card, bgName: 'white' },
    {
      what: 'primary colour',
      fg: primary,
      on: SURFACES.light.page,
      bgName: `the page background ${SURFACES.light.page}`,
    },
  ]);

export const darkPrimaryProblems = (primary: string): string[] =>
  failures([
    {
      what: 'dark-scheme primary colour',
      fg: primary,
      on: SURFACES.dark.card,
      bgName: `the dark card background ${SURFACES.dark.card}`,
    },
    {
      what: 'dark-scheme primary colour',
      fg: primary,
      on: SURFACES.dark.onPrimary,
      bgName: `its dark button text ${SURFACES.dark.onPrimary}`,
    },
  ]);

/** The accent is the header band, under white text, in either scheme. */
export const accentProblems = (accent: string, what = 'accent colour'): string[] =>
  failures([{ what, fg: accent, on: '#ffffff', bgName: 'white header text' }]);
