/** `latchkey/pages`: the hosted key pages, an Express router to mount in the host app. */
export { createHostedPages, type HostedPagesOptions } from './http/pages/hosted-pages';
export type { ResolveUser } from './http/pages/current-user';
