import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { createRequestListener } from '../src/app';
import { createLatchkeyClient } from '../src/client';
import { headersSetBy } from '../src/http/rest/lean-validate';
import { BACKEND_API_PREFIX } from '../src/http/rest/routes';
import { BENCH_APP_CONFIG } from './fixture';
import { bareNodeJsonRoute } from './rest';
import type { Scenario } from './scenario';
import { sameHandler } from './scenario';

/**
 * Routes that do none of Latchkey's work, each the nearest thing to a Latchkey scenario
 * that the platform allows: what Express charges for one more handler, what attaching an
 * identity to `req` costs, what the REST API's headers cost on node:http, what one HTTP
 * round trip to a bare route costs. Reported without targets: they say how close to its
 * ceiling each Latchkey figure is.
 */

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Express's own cost of one more handler on a route. */
const noopMiddleware: Scenario = {
  name: 'reference: a no-op middleware',
  mount(app, f) {
    app.get('/noop', (_req, _res, next) => next(), sameHandler);
    return { path: '/noop', headers: bearer(f.token), expectStatus: 200 };
  },
};

/**
 * requireApiKey()'s documented result, `req.apiKey`, set to a fixed identity with no check:
 * a property added to Express's request object, as any middleware that identifies a caller
 * adds one (Passport's `req.user`).
 */
const setsApiKey: Scenario = {
  name: 'reference: a middleware that only sets req.apiKey',
  async mount(app, f) {
    const result = await f.latchkey.validateApiKey(f.token);
    if (!result.valid) throw new Error('the bench key does not validate');
    const identity = result.apiKey;
    app.get(
      '/sets-api-key',
      (req, _res, next) => {
        req.apiKey = identity;
        next();
      },
      sameHandler,
    );
    return { path: '/sets-api-key', headers: bearer(f.token), expectStatus: 200 };
  },
};

/** The bare node:http JSON route, answering with the headers every REST answer carries. */
const bareNodeJsonWithHeaders: Scenario = {
  name: 'node:http JSON route with the REST API headers',
  async mount(app, f) {
    const plain = await bareNodeJsonRoute.mount(app, f);
    const path = '/bench/node-json-with-headers';
    const answer = Buffer.from(JSON.stringify({ ok: true }));
    // helmet's headers, as the lean path sends them, then type and length.
    const headers = [
      ...Object.entries(headersSetBy(helmet())).flat(),
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(answer.length),
    ];
    const handler: RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, headers);
        res.end(answer);
      });
    };
    return { ...plain, path, handler };
  },
};

/** The lean validation path against the route above: what validating adds to it. */
const leanAgainstHeaders: Scenario = {
  name: 'REST validate (lean path), against node:http with the same headers',
  baseline: bareNodeJsonWithHeaders,
  async mount(app, f) {
    const plain = await bareNodeJsonRoute.mount(app, f);
    return {
      ...plain,
      path: `${BACKEND_API_PREFIX}/end_user_api_keys/validate`,
      headers: { ...plain.headers, Authorization: `Bearer ${f.backendApi.integrationKey}` },
      handler: createRequestListener(f.latchkey, BENCH_APP_CONFIG),
    };
  },
};

/**
 * The floor under any remote check: a route that, per request, POSTs the validate body
 * over a kept-alive connection to a bare node:http JSON route in this process and reads
 * the answer. The remote client with its cache off does this and validates too.
 */
const oneRoundTrip: Scenario = {
  name: 'reference: one HTTP round trip per request',
  async mount(app, f) {
    const target = await bareNodeJsonRoute.mount(app, f);
    const server = http.createServer(target.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    f.onStop(() => {
      agent.destroy();
      server.closeAllConnections();
      server.close();
    });
    const body = target.body ?? '';
    const roundTrip = () =>
      new Promise<void>((resolve, reject) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          path: target.path,
          method: 'POST',
          agent,
          headers: { ...target.headers, 'Content-Length': Buffer.byteLength(body) },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
        });
        req.end(body);
      });
    app.get(
      '/round-trip',
      (_req, _res, next) => void roundTrip().then(() => next(), next),
      sameHandler,
    );
    return { path: '/round-trip', headers: bearer(f.token), expectStatus: 200 };
  },
};

/** The remote client with its cache off against the round trip above: what it adds to one. */
const remoteAgainstRoundTrip: Scenario = {
  name: 'remote client requireApiKey() (cache off), against one round trip',
  baseline: oneRoundTrip,
  mount(app, f) {
    const client = createLatchkeyClient({
      url: f.backendApi.origin,
      integrationKey: f.backendApi.integrationKey,
      cacheTtlMs: 0,
    });
    f.onStop(() => client.close());
    app.get('/remote-uncached', client.requireApiKey(), sameHandler);
    return { path: '/remote-uncached', headers: bearer(f.token), expectStatus: 200 };
  },
};

export const referenceScenarios: Scenario[] = [
  noopMiddleware,
  setsApiKey,
  leanAgainstHeaders,
  oneRoundTrip,
  remoteAgainstRoundTrip,
];
