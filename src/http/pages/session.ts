import { randomBytes } from 'node:crypto';
import session, { type SessionData } from 'express-session';
import type { Request, RequestHandler } from 'express';
import { adminSessionOwner } from '../../core/admins';
import { nowSeconds } from '../../core/time';
import { userSessionOwner } from '../../core/users';
import type { Logger } from '../../logger';
import type { PageSessions } from '../../core/store';

/** What the page sessions hold. Other page areas (e.g. the admin dashboard) may add fields. */
declare module 'express-session' {
  interface SessionData {
    /** Unix seconds when the session began; the absolute timeout counts from here. */
    startedAt?: number;
    /** The signed-in end user (hosted pages). */
    userId?: string;
    flash?: FlashMessage[];
    /** Ids of forms rendered and not yet submitted: a second submit finds its id gone. */
    openForms?: string[];
    /** What a form sent after its session ended held (safe fields only), for its page to show again. */
    formDraft?: FormDraft;
    /** The owner's stamp at sign-in (PageSessions.getOwnerStamp); a new stamp ends this session. */
    ownerStamp?: string | null;
  }
}

/** Fields of a form to fill in again when the page at `path` is next shown. */
export interface FormDraft {
  path: string;
  values: Record<string, string>;
}

export interface FlashMessage {
  kind: 'success' | 'error' | 'info';
  message: string;
}

export interface SessionOptions {
  /** Signs the session cookie. When omitted a random one is used and sessions end on restart. */
  secret?: string;
  /** Sign-out after this long without a request (default 30). */
  idleMinutes?: number;
  /** Sign-out this long after sign-in whatever the activity (default 12). */
  absoluteHours?: number;
  /** Cookie name; give each page area its own when they must not share sign-ins. */
  cookieName?: string;
  /** Cookie path (default '/'). */
  cookiePath?: string;
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * express-session's store over Latchkey's own store, so sessions live in the
 * same database as everything else and survive restarts.
 */
export class LatchkeySessionStore extends session.Store {
  private lastPrune = 0;

  constructor(
    private readonly store: PageSessions,
    private readonly fallbackTtlSeconds: number,
    private readonly absoluteSeconds: number,
  ) {
    super();
  }

  override get(sid: string, done: (err: unknown, data?: SessionData | null) => void): void {
    this.store.getSession(sid, nowSeconds()).then(
      (record) => done(null, record ? (JSON.parse(record.data) as SessionData) : null),
      (err) => done(err),
    );
  }

  override set(sid: string, data: SessionData, done?: (err?: unknown) => void): void {
    const now = nowSeconds();
    // The first save stamps the start; it is saved with the session and never moves.
    data.startedAt ??= now;
    const expires = data.cookie?.expires;
    const idleEnd = expires
      ? Math.floor(new Date(expires).getTime() / 1000)
      : now + this.fallbackTtlSeconds;
    const absoluteEnd = (data.startedAt ?? now) + this.absoluteSeconds;
    this.store
      .setSession(sid, { data: JSON.stringify(data), expiresAt: Math.min(idleEnd, absoluteEnd) })
      .then(() => this.pruneNowAndThen(now))
      .then(
        () => done?.(),
        (err) => done?.(err),
      );
  }

  override destroy(sid: string, done?: (err?: unknown) => void): void {
    this.store.destroySession(sid).then(
      () => done?.(),
      (err) => done?.(err),
    );
  }

  override touch(sid: string, data: SessionData, done?: () => void): void {
    this.set(sid, data, () => done?.());
  }

  /** Expired rows are removed lazily, at most every few minutes, so no timer needs stopping. */
  private async pruneNowAndThen(now: number): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.store.pruneSessions(now);
  }
}

/** Resolves the secret, warning once when sessions cannot outlive this process. */
export function sessionSecret(secret: string | undefined, logger: Logger): string {
  if (secret) return secret;
  logger.warn(
    'SESSION_SECRET is not set: using a random one, so page sign-ins will not survive a restart',
  );
  return randomBytes(32).toString('hex');
}

/**
 * The session middleware for server-rendered pages: persistent store, httpOnly
 * sameSite=lax cookie, `secure` whenever the request arrived over HTTPS (honouring
 * the app's `trust proxy`), a rolling idle timeout and an absolute one.
 */
export function pageSession(
  store: PageSessions,
  logger: Logger,
  options: SessionOptions = {},
): RequestHandler[] {
  const idleMs = (options.idleMinutes ?? 30) * 60_000;
  const absoluteSeconds = (options.absoluteHours ?? 12) * 3600;
  const middleware = session({
    name: options.cookieName ?? 'latchkey.sid',
    secret: sessionSecret(options.secret, logger),
    store: new LatchkeySessionStore(store, idleMs / 1000, absoluteSeconds),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: idleMs,
      path: options.cookiePath ?? '/',
    },
  });
  const absoluteTimeout: RequestHandler = (req, _res, next) => {
    const startedAt = req.session.startedAt;
    if (startedAt === undefined || nowSeconds() - startedAt < absoluteSeconds) return next();
    // Past the absolute limit: start over with an empty session.
    req.session.regenerate((err) => next(err));
  };
  return [middleware, absoluteTimeout, endedByOwner(store)];
}

/** Whose sign-in a session holds, named as PageSessions names owners. */
function ownerOf(data: SessionData): string | null {
  if (data.userId) return userSessionOwner(data.userId);
  if (data.adminId) return adminSessionOwner(data.adminId);
  return null;
}

const PASSWORD_CHANGED =
  'You were signed out because the password of this account changed. Sign in with the new password.';

/**
 * Ends a signed-in session whose owner's stamp has changed since sign-in (a password
 * change), whichever process made the change: the stamp is read from the store on
 * every request, so a session row written back by a request still in flight is refused too.
 */
function endedByOwner(store: PageSessions): RequestHandler {
  return async (req, _res, next) => {
    const owner = ownerOf(req.session);
    if (!owner) return next();
    if ((req.session.ownerStamp ?? null) === (await store.getOwnerStamp(owner))) return next();
    await regenerateSession(req);
    req.session.flash = [{ kind: 'info', message: PASSWORD_CHANGED }];
    next();
  };
}

/**
 * Starts a fresh session (new id) for `owner`'s sign-in, keeping nothing from before it.
 * `stamp` is the owner's stamp read before the password was checked, so a password
 * changed during the check ends this session too.
 */
export async function signInSession(req: Request, stamp: string | null): Promise<void> {
  // A form sent after the last session ended is filled in again once signed in.
  const draft = req.session.formDraft;
  await regenerateSession(req);
  req.session.ownerStamp = stamp;
  if (draft) req.session.formDraft = draft;
}

/** The kept form fields for the page being shown (used once), or none. */
export function takeFormDraft(req: Request): Record<string, string> {
  const draft = req.session?.formDraft;
  if (!draft || draft.path !== `${req.baseUrl}${req.path}`) return {};
  delete req.session.formDraft;
  return draft.values;
}

/** Starts a fresh session (new id), keeping nothing from before it. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(err) : resolve())),
  );
}

export function destroySession(req: Request): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    req.session.destroy((err) => (err ? reject(err) : resolve())),
  );
}
