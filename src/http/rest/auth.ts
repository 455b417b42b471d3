import type { RequestHandler } from 'express';
import type { Latchkey } from '../../latchkey';

/**
 * Admits requests carrying an active integration key (`Authorization: Bearer lki_…`).
 * Every failure is the same 401, so callers cannot tell a revoked key from a made-up one.
 */
export function requireIntegrationKey(latchkey: Latchkey): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    latchkey.authenticateIntegrationKey(header).then((key) => {
      if (!key) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="latchkey-backend-api"');
        res.status(401).json({
          error: 'unauthorized',
          message: 'A valid integration key is required (Authorization: Bearer <integration key>).',
        });
        return;
      }
      res.locals.integrationKeyId = key.id;
      next();
    }, next);
  };
}
