import { existsSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { isLatchkeyError, type FieldErrors } from '../../core/errors';
import { LATEST_EXPIRY_SECONDS } from '../../core/time';
import type { Logger } from '../../logger';
import { CSRF_FIELD, csrfTokenFor, issueFormId } from './security';
import { takeFormDraft, type FlashMessage } from './session';

/** The package root: the nearest folder above this file holding views/layout.ejs (from src/ or dist/). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'views', 'layout.ejs'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../../..');
  }
}

const ROOT = packageRoot();
export const VIEWS_DIR = path.join(ROOT, 'views');
export const PUBLIC_DIR = path.join(ROOT, 'public');

export type Locals = Record<string, unknown>;

/** Queues a message for the next page rendered in this session (after a redirect). */
export function flash(req: Request, kind: FlashMessage['kind'], message: string): void {
  (req.session.flash ??= []).push({ kind, message });
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * Unix seconds as "28 Nov 2026, 17:40 UTC"; `empty` for null. Never throws: a time past
 * the year 9999 (an expiry stored before that limit, perhaps in milliseconds) reads as
 * such, and a value no date can hold as "Unknown time", so one odd record cannot break a page.
 */
export function formatTime(seconds: number | null | undefined, empty = '—'): string {
  if (seconds === null || seconds === undefined) return empty;
  if (seconds > LATEST_EXPIRY_SECONDS) return 'After the year 9999';
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? 'Unknown time' : `${DATE_FORMAT.format(date)} UTC`;
}

/** Where the page area is mounted; set by the machinery so sub-routers see the same value. */
export const basePathOf = (req: Request, res: Response): string =>
  typeof res.locals.basePath === 'string' ? res.locals.basePath : req.baseUrl;

/** What every page and partial can use. `res.locals` (set by area middleware) and `locals` win. */
function pageLocals(req: Request, res: Response, locals: Locals): Locals {
  const flashed = req.session?.flash ?? [];
  if (req.session) delete req.session.flash;
  const basePath = basePathOf(req, res);
  return {
    title: 'API keys',
    productName: '',
    basePath,
    assetsPath: `${basePath}/assets`,
    url: (p: string) => `${basePath}${p}`,
    csrfField: CSRF_FIELD,
    csrfToken: req.session ? csrfTokenFor(req) : '',
    formId: req.session ? issueFormId(req) : '',
    flash: flashed,
    errors: {} as FieldErrors,
    formError: null,
    values: takeFormDraft(req),
    nav: [],
    signedInAs: null,
    signOutPath: null,
    formatTime,
    ...res.locals,
    ...locals,
  };
}

/** Renders `views/<view>.ejs` inside `views/<layout>.ejs` (default 'layout', or an absolute file) and sends it. */
export async function renderPage(
  req: Request,
  res: Response,
  view: string,
  locals: Locals = {},
  status = 200,
): Promise<void> {
  const data = pageLocals(req, res, locals);
  // A form shown again with its errors says so first, where a screen reader starts reading.
  const failed = Boolean(data.formError) || Object.keys(data.errors ?? {}).length > 0;
  if (failed && !String(data.title).startsWith('Error: ')) data.title = `Error: ${data.title}`;
  // A session never saved yet is saved before the page goes out (the page's form tokens
  // are in it), so a store that cannot take the write answers 503 instead of failing
  // once a 200 has been sent.
  if (req.session && req.session.startedAt === undefined) await saveSession(req);
  const body = await ejs.renderFile(path.join(VIEWS_DIR, `${view}.ejs`), data);
  const layout = typeof data.layout === 'string' ? data.layout : 'layout';
  // An absolute path is a host app's own layout file (embedded mode).
  const layoutFile = path.isAbsolute(layout) ? layout : path.join(VIEWS_DIR, `${layout}.ejs`);
  const html = await ejs.renderFile(layoutFile, { ...data, body });
  res.status(status).type('html').send(html);
}

const saveSession = (req: Request): Promise<void> =>
  new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

/**
 * Marks the current request as a form submission: if it fails with a 4xx, the
 * error handler shows `view` again with `locals`, the field errors and what the user typed.
 */
export function keepForm(res: Response, view: string, locals: Locals = {}): void {
  res.locals.form = { view, locals };
}

const NEVER_ECHOED = new Set([CSRF_FIELD, 'formId', 'password', 'passwordConfirm']);

/** The submitted fields to put back in the form, minus secrets and machinery. */
export function submittedValues(req: Request): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(body).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && !NEVER_ECHOED.has(e[0]),
    ),
  );
}

interface Described {
  status: number;
  code: string;
  message: string;
  fields: FieldErrors;
}

function describe(err: unknown): Described {
  if (isLatchkeyError(err))
    return { status: err.status, code: err.code, message: err.message, fields: err.fields };
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      code: status === 413 ? 'payload_too_large' : 'bad_request',
      message:
        status === 413 ? 'The form is too large.' : 'The request could not be read. Try again.',
      fields: {},
    };
  }
  return {
    status: 500,
    code: 'internal',
    message: 'Something went wrong on our side.',
    fields: {},
  };
}

/**
 * One error handler for server-rendered pages: HTML (the form again with its
 * errors, or an error page) for browsers, the error table's JSON for clients asking for JSON.
 */
export function pageErrorHandler(logger: Logger, errorView = 'error'): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      // Too late to answer differently (a session save that failed after the page was sent):
      // log it rather than leave it to Express, which prints the stack.
      logger.error({ err, method: req.method, path: req.path }, 'page failed after answering');
      if (!res.writableEnded) res.end();
      return;
    }
    const d = describe(err);
    if (d.status >= 500) {
      const cause = (err as { cause?: unknown } | null)?.cause ?? err;
      logger.error({ err: cause, method: req.method, path: req.path }, 'page failed');
    }
    const json = () =>
      res.status(d.status).json({ error: d.code, message: d.message, fields: d.fields });
    const html = () => {
      const form = res.locals.form as { view: string; locals: Locals } | undefined;
      const page =
        form && d.status < 500
          ? renderPage(
              req,
              res,
              form.view,
              {
                ...form.locals,
                errors: d.fields,
                formError: d.message,
                values: submittedValues(req),
              },
              d.status,
            )
          : renderPage(req, res, errorView, { title: titleFor(d.status), error: d }, d.status);
      page.catch((renderErr: unknown) => {
        logger.error({ err: renderErr }, 'rendering an error page failed');
        if (!res.headersSent) res.status(d.status).type('text').send(d.message);
      });
    };
    res.format({ html, json, default: html });
  };
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 403) return 'Not allowed';
  if (status === 401) return 'Sign-in needed';
  if (status === 429) return 'Too many attempts';
  if (status >= 500) return 'Something went wrong';
  return 'That did not work';
}
