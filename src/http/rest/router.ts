import express, { Router } from 'express';
import { parseInput } from '../../core/inputs';
import type { Latchkey } from '../../latchkey';
import { requireIntegrationKey } from './auth';
import type { Actor } from '../../core/context';
import { JsonText, type Endpoint, type EndpointInput, type EtagFunction } from './endpoint';
import { restErrorHandler, restNotFound } from './errors';
import { ENDPOINTS } from './routes';

export interface BackendApiOptions {
  /** Largest JSON body accepted, e.g. "100kb" (body-parser syntax). */
  bodyLimit?: string;
}

/** OpenAPI `{param}` → Express `:param`. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** A prepared answer goes out as its bytes, with the ETag the app would give them, worked out once. */
function answer(res: express.Response, result: unknown): void {
  if (!(result instanceof JsonText)) {
    res.status(200).json(result);
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  const etag = result.etag(res.app.get('etag fn') as EtagFunction | undefined);
  if (etag) res.setHeader('ETag', etag);
  res.send(result.bytes);
}

/**
 * One request's input to an endpoint. A class, so `by` is a getter on its prototype rather
 * than a getter built into a fresh object per request (which V8 gives a hidden class each).
 */
class Input<Q, B> implements EndpointInput<Q, B> {
  constructor(
    readonly req: express.Request,
    private readonly res: express.Response,
    readonly params: Record<string, string>,
    readonly query: Q,
    readonly body: B,
  ) {}

  /** Worked out only by the routes that audit: the client address costs on every request. */
  get by(): Actor {
    const keyId = String(this.res.locals.integrationKeyId);
    return { actor: `integration:${keyId}`, ip: this.req.ip ?? null };
  }
}

function handlerOf(latchkey: Latchkey, endpoint: Endpoint): express.RequestHandler {
  return (req, res) => {
    if (endpoint.fieldNames) res.locals.fieldNames = endpoint.fieldNames;
    const query = endpoint.query ? parseInput(endpoint.query, { ...req.query }) : {};
    const body = endpoint.body ? parseInput(endpoint.body, req.body ?? {}) : undefined;
    const params = req.params as Record<string, string>;
    const result = endpoint.run(latchkey, new Input(req, res, params, query, body));
    // Express 5 hands a rejected promise (and a throw) to the error handler.
    if (result instanceof Promise) return result.then((r) => answer(res, r));
    answer(res, result);
  };
}

/**
 * The PropelAuth-compatible backend API, to mount at `/api/backend/v1`. It parses
 * its own JSON (after authentication, so anonymous callers cannot make it read bodies)
 * and shapes its own errors. Mount it before any app-wide body parser.
 */
export function createBackendApi(latchkey: Latchkey, options: BackendApiOptions = {}): Router {
  const router = Router();
  // Authentication and parsing ride on each route rather than on the router: a route's
  // own handler list costs less per request than router-level layers. Unknown paths
  // still authenticate first, so anonymous callers learn nothing about which exist.
  const admitted = [
    requireIntegrationKey(latchkey),
    express.json({ limit: options.bodyLimit ?? '100kb' }),
  ];
  for (const endpoint of ENDPOINTS) {
    router[endpoint.method](expressPath(endpoint.path), ...admitted, handlerOf(latchkey, endpoint));
  }
  router.use(...admitted, restNotFound);
  router.use(restErrorHandler(latchkey.logger));
  return router;
}
