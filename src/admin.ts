/**
 * `latchkey/admin`: the admin dashboard router. Its first admin comes from
 * `latchkey.createAdmin()` or the setup link of `latchkey.adminSetupLinkIfNone()`.
 */
export { createAdminPages, type AdminPagesOptions } from './http/admin/admin-pages';
