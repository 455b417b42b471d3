import type { NextFunction, RequestHandler, Response } from 'express';
import type { IntegrationKeyView } from '../../core/integration-keys';
import type { Latchkey } from '../../latchkey';

/** Every refused integration key gets this same answer. */
export const UNAUTHORIZED = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Bearer realm="latchkey-backend-api"' },
  body: {
    error: 'unauthorized',
    message: 'A valid integration key is required (Authorization: Bearer <integration key>).',
  },
} as const;

function admit(key: IntegrationKeyView | null, res: Response, next: NextFunction): void {
  if (key) {
    res.locals.integrationKeyId = key.id;
    next();
    return;
  }
  res.setHeader('WWW-Authenticate', UNAUTHORIZED.headers['WWW-Authenticate']);
  res.status(UNAUTHORIZED.status).json(UNAUTHORIZED.body);
}

/**
 * Admits requests carrying an active integration key (`Authorization: Bearer lki_…`).
 * Every failure is the same 401, so callers cannot tell a revoked key from a made-up one.
 * A key whose lookup is cached is admitted in the same tick.
 */
export function requireIntegrationKey(latchkey: Latchkey): RequestHandler {
  return (req, res, next) => {
    const outcome = latchkey.integrationKeys.authenticateInline(req.headers.authorization);
    if (outcome instanceof Promise) outcome.then((key) => admit(key, res, next), next);
    else admit(outcome, res, next);
  };
}
