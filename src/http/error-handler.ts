import type { ErrorRequestHandler, RequestHandler } from 'express';
import path from 'node:path';
import ejs from 'ejs';
import { isLatchkeyError } from '../core/errors';
import { VIEWS_DIR } from './pages/render';
import type { Logger } from '../logger';

/** Shapes every error response; logs only the unexpected (5xx) ones. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (isLatchkeyError(err)) {
      if (err.status >= 500)
        logger.error({ err: err.cause ?? err, method: req.method, path: req.path }, err.message);
      res.status(err.status).json({ error: err.code, message: err.message, fields: err.fields });
      return;
    }
    // body-parser errors carry a status and a type; none of them is the server's fault.
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (status >= 400 && status < 500) {
      const message =
        err.type === 'entity.too.large'
          ? 'The request body is too large.'
          : err.type === 'entity.parse.failed'
            ? 'The request body is not valid JSON.'
            : 'The request could not be read.';
      res
        .status(status)
        .json({ error: status === 413 ? 'payload_too_large' : 'bad_request', message });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal', message: 'Something went wrong on our side.' });
  };
}

/**
 * Unknown routes: a browser (asking for HTML before JSON) gets a page, an API client the
 * JSON error. `home` is where the page's link goes (the hosted pages' start by default).
 */
export function notFoundHandler(home = '/'): RequestHandler {
  return (req, res, next) => {
    if (req.accepts(['json', 'html']) !== 'html') {
      res.status(404).json({ error: 'not_found', message: 'No such route.' });
      return;
    }
    ejs
      .renderFile(path.join(VIEWS_DIR, 'not-found.ejs'), { path: req.path, home })
      .then((html) => res.status(404).type('html').send(html), next);
  };
}
