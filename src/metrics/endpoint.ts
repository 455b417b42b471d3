import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** True when no token is set, or the request carries `Authorization: Bearer <token>`. */
function allowed(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
  // Equal-length digests: the comparison takes as long whatever was sent.
  return timingSafeEqual(digest(given), digest(token));
}

/** Serves the registry in the Prometheus text format, behind a Bearer token when one is set. */
export function metricsHandler(
  registry: Registry,
  token: string | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!allowed(req, token)) {
      res.writeHead(401, {
        'WWW-Authenticate': 'Bearer realm="metrics"',
        'Cache-Control': 'no-store',
      });
      res.end('A metrics token is required.\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      },
      () => {
        res.writeHead(500);
        res.end('Collecting metrics failed.\n');
      },
    );
  };
}

/** A server answering only GET /metrics, on the loopback address (METRICS_PORT). */
export async function startMetricsServer(
  port: number,
  registry: Registry,
  token: string | undefined,
): Promise<{ server: Server; url: string }> {
  const handle = metricsHandler(registry, token);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics')
      return handle(req, res);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}/metrics` };
}
