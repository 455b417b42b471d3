import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { LatchkeyError, isLatchkeyError } from '../../core/errors';
import { MAX_PASSWORD_BYTES, email as emailSchema, parseInput, password } from '../../core/inputs';
import { userSessionOwner } from '../../core/users';
import type { Latchkey } from '../../latchkey';
import { accountProblem, safeReturnPath } from './current-user';
import type { LoginThrottle, SignupLimit } from './login-throttle';
import { basePathOf, flash, keepForm, renderPage } from './render';
import { destroySession, signInSession } from './session';

const TOO_LONG = `is longer than ${MAX_PASSWORD_BYTES} bytes, which is more than passwords here can be`;

const loginForm = z.object({
  email: z.preprocess((v) => v ?? '', z.string().trim().min(1, 'enter your email address')),
  password: z
    .preprocess((v) => v ?? '', z.string().min(1, 'enter your password'))
    .refine((v) => Buffer.byteLength(v) <= MAX_PASSWORD_BYTES, { message: TOO_LONG }),
});

const signupForm = z
  .object({
    email: z.preprocess((v) => v ?? '', emailSchema),
    password: z.preprocess((v) => v ?? '', password),
    passwordConfirm: z.preprocess((v) => v ?? '', z.string()),
  })
  .refine((f) => f.password === f.passwordConfirm, {
    path: ['passwordConfirm'],
    message: 'does not match the password',
  });

const SIGNED_UP =
  'Thank you. You can now sign in with this email address. If it already had an account here, that account and its password are unchanged.';

const LOGIN_LABELS = { email: 'Email', password: 'Password' };
const SIGNUP_LABELS = { ...LOGIN_LABELS, passwordConfirm: 'Password again' };

/** Sign-in, sign-out and optional sign-up for the hosted pages' own accounts. */
export function registerSignInRoutes(
  router: Router,
  latchkey: Latchkey,
  options: {
    throttle: LoginThrottle;
    signupLimit: SignupLimit;
    cookieName: string;
    cookiePath: string;
  },
): void {
  const { throttle } = options;
  // Unknown emails are checked against this hash too, so timing does not reveal which exist.
  const home = (req: Request, res: Response) => `${basePathOf(req, res)}/`;
  const loginLocals = (req: Request, res: Response) => ({
    title: 'Sign in',
    fieldLabels: LOGIN_LABELS,
    next: safeReturnPath(req, res, req.query.next ?? req.body?.next) ?? '',
    signedOut: req.query.signedOut === '1',
    signupEnabled: latchkey.getSettings().selfSignupEnabled,
  });

  router.get('/login', async (req, res) => {
    if (req.session.userId) return res.redirect(303, home(req, res));
    await renderPage(req, res, 'login', loginLocals(req, res));
  });

  router.post('/login', async (req, res) => {
    keepForm(res, 'login', loginLocals(req, res));
    const form = parseInput(loginForm, req.body);
    const ip = req.ip ?? 'unknown';
    await throttle.takeTry(res, form.email, ip);
    const stamp = await stampBeforeCheck(latchkey, form.email);
    const user = await latchkey.verifyUserSignIn(form.email, form.password);
    if (!user)
      throw new LatchkeyError('unauthorized', 'That email and password do not match an account.');
    await throttle.succeeded(form.email, ip);
    const problem = accountProblem(user);
    if (problem) throw new LatchkeyError('forbidden', problem);
    await signIn(req, latchkey, user.id, stamp.userId === user.id ? stamp.stamp : null);
    res.redirect(303, safeReturnPath(req, res, req.body?.next) ?? home(req, res));
  });

  router.post('/logout', async (req, res) => {
    await destroySession(req);
    res.clearCookie(options.cookieName, { path: options.cookiePath });
    res.redirect(303, `${basePathOf(req, res)}/login?signedOut=1`);
  });

  const signupLocals = () => ({ title: 'Create an account', fieldLabels: SIGNUP_LABELS });
  const requireSignup = () => {
    if (!latchkey.getSettings().selfSignupEnabled)
      throw new LatchkeyError('not_found', 'Signing up here is turned off.');
  };

  router.get('/signup', async (req, res) => {
    requireSignup();
    await renderPage(req, res, 'signup', signupLocals());
  });

  router.post('/signup', async (req, res) => {
    requireSignup();
    keepForm(res, 'signup', signupLocals());
    const form = parseInput(signupForm, req.body);
    await options.signupLimit.take(res, req.ip ?? 'unknown');
    try {
      await latchkey.createUser(
        { email: form.email, password: form.password, emailConfirmed: false },
        { actor: 'system', ip: req.ip ?? null },
      );
    } catch (err) {
      // The same answer whether or not the email was taken, so sign-up cannot list accounts.
      // The password is hashed before the insert fails, so the time taken says nothing either.
      if (!(isLatchkeyError(err) && err.code === 'conflict')) throw err;
    }
    flash(req, 'success', SIGNED_UP);
    res.redirect(303, `${basePathOf(req, res)}/login`);
  });
}

/** The user's session stamp, read before their password is checked (see signInSession). */
async function stampBeforeCheck(
  latchkey: Latchkey,
  email: string,
): Promise<{ userId: string | null; stamp: string | null }> {
  const user = await latchkey.fetchUserByEmail(email);
  if (!user) return { userId: null, stamp: null };
  return {
    userId: user.id,
    stamp: await latchkey.pageSessions.getOwnerStamp(userSessionOwner(user.id)),
  };
}

/** A new session id at sign-in, so a session id planted before it is worth nothing. */
async function signIn(
  req: Request,
  latchkey: Latchkey,
  userId: string,
  stamp: string | null,
): Promise<void> {
  await signInSession(req, stamp);
  req.session.userId = userId;
  await latchkey.recordSignIn(userId, { actor: `user:${userId}`, ip: req.ip ?? null });
}
