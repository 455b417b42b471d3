import express, { Router } from 'express';
import { parseInput } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { requireIntegrationKey } from './auth';
import { JsonText, type Endpoint } from './endpoint';
import { restErrorHandler, restNotFound } from './errors';
import { ENDPOINTS } from './routes';

export interface BackendApiOptions {
  /** Largest JSON body accepted, e.g. "100kb" (body-parser syntax). */
  bodyLimit?: string;
}

/** OpenAPI `{param}` → Express `:param`. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

function handlerOf(latchkey: Latchkey, endpoint: Endpoint): express.RequestHandler {
  return async (req, res) => {
    if (endpoint.fieldNames) res.locals.fieldNames = endpoint.fieldNames;
    const query = endpoint.query ? parseInput(endpoint.query, { ...req.query }) : {};
    const body = endpoint.body ? parseInput(endpoint.body, req.body ?? {}) : undefined;
    const result = await endpoint.run(latchkey, {
      params: req.params as Record<string, string>,
      query,
      body,
      by: { actor: `integration:${String(res.locals.integrationKeyId)}`, ip: req.ip ?? null },
      req,
    });
    if (result instanceof JsonText) res.status(200).type('application/json').send(result.text);
    else res.status(200).json(result);
  };
}

/**
 * The PropelAuth-compatible backend API, to mount at `/api/backend/v1`. It parses
 * its own JSON (after authentication, so anonymous callers cannot make it read bodies)
 * and shapes its own errors. Mount it before any app-wide body parser.
 */
export function createBackendApi(latchkey: Latchkey, options: BackendApiOptions = {}): Router {
  const router = Router();
  router.use(requireIntegrationKey(latchkey));
  router.use(express.json({ limit: options.bodyLimit ?? '100kb' }));
  for (const endpoint of ENDPOINTS) {
    router[endpoint.method](expressPath(endpoint.path), handlerOf(latchkey, endpoint));
  }
  router.use(restNotFound);
  router.use(restErrorHandler(latchkey.logger));
  return router;
}
