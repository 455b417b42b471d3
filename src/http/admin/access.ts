import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { LatchkeyError } from '../../core/errors';
import { MAX_PASSWORD_BYTES, email, parseInput, password } from '../../core/inputs';
import { adminSessionOwner } from '../../core/admins';
import type { Latchkey } from '../../latchkey';
import { safeReturnPath } from '../pages/current-user';
import type { LoginThrottle } from '../pages/login-throttle';
import { basePathOf, flash, keepForm, renderPage } from '../pages/render';
import { consumeFormId } from '../pages/security';
import { destroySession, signInSession } from '../pages/session';
import { actorOf, adminOf } from './admin-session';

const loginForm = z.object({
  email: z.preprocess((v) => v ?? '', z.string().trim().min(1, 'enter your email address')),
  password: z
    .preprocess((v) => v ?? '', z.string().min(1, 'enter your password'))
    .refine((v) => Buffer.byteLength(v) <= MAX_PASSWORD_BYTES, {
      message: `is longer than ${MAX_PASSWORD_BYTES} bytes`,
    }),
});
const adminFields = z.object({ email, password });
const LABELS = { email: 'Email', password: 'Password', token: 'Setup link' };

/**
 * A new session id at sign-in, so one planted before it is worth nothing. The stamp is
 * read after the password check: admin passwords are never changed, only admins deleted.
 */
async function signInAdmin(req: Request, latchkey: Latchkey, adminId: string): Promise<void> {
  const stamp = await latchkey.pageSessions.getOwnerStamp(adminSessionOwner(adminId));
  await signInSession(req, stamp);
  req.session.adminId = adminId;
}

/** Sign-in, sign-out and the one-time first-admin setup: the routes open to everyone. */
export function registerAccessRoutes(
  router: Router,
  latchkey: Latchkey,
  options: { throttle: LoginThrottle; cookieName: string; cookiePath: string },
): void {
  const { throttle } = options;
  const home = (req: Request, res: Response) => `${basePathOf(req, res)}/settings`;
  const loginLocals = async (req: Request, res: Response) => ({
    title: 'Admin sign-in',
    fieldLabels: LABELS,
    next: safeReturnPath(req, res, req.query.next ?? req.body?.next) ?? '',
    signedOut: req.query.signedOut === '1',
    noAdminYet: !(await latchkey.hasAdmin()),
  });

  router.get('/login', async (req, res) => {
    if (req.session.adminId) return res.redirect(303, home(req, res));
    await renderPage(req, res, 'admin/login', await loginLocals(req, res));
  });

  router.post('/login', async (req, res) => {
    keepForm(res, 'admin/login', await loginLocals(req, res));
    const form = parseInput(loginForm, req.body);
    const ip = req.ip ?? 'unknown';
    await throttle.takeTry(res, form.email, ip);
    const admin = await latchkey.verifyAdminSignIn(form.email, form.password, {
      ip: req.ip ?? null,
    });
    if (!admin)
      throw new LatchkeyError('unauthorized', 'That email and password do not match an admin.');
    await throttle.succeeded(form.email, ip);
    await signInAdmin(req, latchkey, admin.id);
    res.redirect(303, safeReturnPath(req, res, req.body?.next) ?? home(req, res));
  });

  router.post('/logout', async (req, res) => {
    await destroySession(req);
    res.clearCookie(options.cookieName, { path: options.cookiePath });
    res.redirect(303, `${basePathOf(req, res)}/login?signedOut=1`);
  });

  const setupLocals = (token: unknown) => ({
    title: 'Set up the first admin',
    fieldLabels: LABELS,
    token: typeof token === 'string' ? token : '',
  });
  const refuseWhenSetUp = async () => {
    if (await latchkey.hasAdmin())
      throw new LatchkeyError('conflict', 'An admin already exists. Sign in instead.');
  };

  // Showing the form does not use the token up: link previews cannot burn it.
  router.get('/setup', async (req, res) => {
    await refuseWhenSetUp();
    await renderPage(req, res, 'admin/setup', setupLocals(req.query.token));
  });

  router.post('/setup', async (req, res) => {
    keepForm(res, 'admin/setup', setupLocals(req.body?.token));
    await refuseWhenSetUp();
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Check the fields before spending the token, so a typo does not cost the link.
    const fields = parseInput(adminFields, {
      email: body.email ?? '',
      password: body.password ?? '',
    });
    if (!(await latchkey.consumeAdminSetupToken(body.token))) {
      throw LatchkeyError.field(
        'token',
        'this setup link is unknown, already used or expired; restart the server for a new one, or run the create-admin command',
      );
    }
    const admin = await latchkey.createAdmin(fields, { actor: 'system', ip: req.ip ?? null });
    await signInAdmin(req, latchkey, admin.id);
    flash(req, 'success', `Welcome. You are the first admin (${admin.email}).`);
    res.redirect(303, home(req, res));
  });
}

/** The list of admins, adding one, and deleting one (never the last). */
export function registerAdminRoutes(router: Router, latchkey: Latchkey): void {
  const listLocals = async () => ({
    title: 'Admins',
    admins: await latchkey.listAdmins(),
    fieldLabels: LABELS,
  });

  router.get('/admins', async (req, res) => {
    await renderPage(req, res, 'admin/admins', await listLocals());
  });

  router.post('/admins', async (req, res) => {
    keepForm(res, 'admin/admins', await listLocals());
    consumeFormId(req);
    const admin = await latchkey.createAdmin(
      { email: req.body?.email ?? '', password: req.body?.password ?? '' },
      actorOf(req, res),
    );
    flash(req, 'success', `Added the admin ${admin.email}.`);
    res.redirect(303, `${basePathOf(req, res)}/admins`);
  });

  router.get('/admins/:adminId/delete', async (req, res) => {
    const target = await findAdmin(latchkey, req.params.adminId);
    const self = target.id === adminOf(res).id;
    await renderPage(req, res, 'admin/confirm', {
      title: `Delete the admin ${target.email}?`,
      lines: [
        `${target.email} will no longer be able to sign in to the dashboard.`,
        self ? 'This is you: you will be signed out.' : null,
      ],
      action: `/admins/${target.id}/delete`,
      button: 'Delete admin',
      back: '/admins',
    });
  });

  router.post('/admins/:adminId/delete', async (req, res) => {
    consumeFormId(req);
    const target = await findAdmin(latchkey, req.params.adminId);
    await latchkey.deleteAdmin(target.id, actorOf(req, res));
    if (target.id === adminOf(res).id) {
      await destroySession(req);
      return res.redirect(303, `${basePathOf(req, res)}/login?signedOut=1`);
    }
    flash(req, 'success', `Deleted the admin ${target.email}.`);
    res.redirect(303, `${basePathOf(req, res)}/admins`);
  });
}

async function findAdmin(latchkey: Latchkey, id: unknown) {
  const admin = typeof id === 'string' ? await latchkey.fetchAdmin(id) : null;
  if (!admin) throw LatchkeyError.notFound('Admin');
  return admin;
}
