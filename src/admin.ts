/** `latchkey/admin`: the admin dashboard router and the functions that make its first admin. */
export { createAdminPages, type AdminPagesOptions } from './http/admin/admin-pages';
export { createAdmin, setupLinkIfNoAdmin } from './core/admins';
