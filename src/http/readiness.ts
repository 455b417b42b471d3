import type { RequestHandler } from 'express';
import type { Latchkey } from '../latchkey';

/** What readiness asks of the running server beside the store. */
export interface Lifecycle {
  /** True from the start of a graceful shutdown: the server should get no new traffic. */
  draining: boolean;
}

/**
 * GET /readyz: 200 when the store answers a cheap read within `timeoutMs` and the server is
 * not shutting down; otherwise 503 naming the failing part (`shutdown` or `store`).
 */
export function readinessHandler(
  latchkey: Pick<Latchkey, 'checkStore'>,
  lifecycle: Lifecycle,
  timeoutMs = 2_000,
): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (lifecycle.draining) {
      res
        .status(503)
        .json({ status: 'unavailable', failing: 'shutdown', message: 'shutting down' });
      return;
    }
    const problem = await latchkey.checkStore(timeoutMs);
    if (problem === null) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable', failing: 'store', message: problem });
  };
}
