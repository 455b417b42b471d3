/** `latchkey/pages`: the hosted key pages, an Express router to mount in the host app. */
export { createHostedPages, type HostedPagesOptions } from './http/pages/hosted-pages';
export type { ResolveUser } from './http/pages/current-user';
export type { BrandingOverride } from './http/pages/branding';
export type { HostChrome } from './http/pages/branding-chrome';
export type { Branding, BrandImage } from './core/branding';
