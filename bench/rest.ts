import type { RequestListener } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import { createRequestListener } from '../src/app';
import { createLatchkeyClient } from '../src/client';
import { createBackendApi } from '../src/http/rest/router';
import { BACKEND_API_PREFIX } from '../src/http/rest/routes';
import type { Latchkey } from '../src/latchkey';
import { BENCH_APP_CONFIG } from './fixture';

/**
 * Bench scenarios for the backend REST API and the remote client, in the shape
 * of `npm run bench`'s Scenario: `mount` adds a route to its own app
 * and returns the request to send; throughput is reported as a ratio to a baseline
 * measured in the same run: the bare JSON route for the REST API, the bare GET route
 * for the remote client's middleware. Spread `restScenarios` into the scenario list.
 */

/** What these scenarios use of the bench fixture. */
export interface RestBenchFixture {
  /** The backend REST API, already served from the bench server process. */
  backendApi: { origin: string; integrationKey: string };
  latchkey: Latchkey;
  /** A valid personal API key. */
  token: string;
}

export interface RestBenchRequest {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** Served instead of the app given to `mount` (see Scenario). */
  handler?: RequestListener;
}

export interface RestScenario {
  name: string;
  minRatio?: number;
  /** Compared with this route instead of the bare GET route. */
  baseline?: RestScenario;
  mount(app: Express, fixture: RestBenchFixture): Promise<RestBenchRequest>;
}

const ok: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};

const validateBody = (fixture: RestBenchFixture) =>
  JSON.stringify({ api_key_token: fixture.token });

/**
 * The REST API's baseline, a bare Express JSON route: a POST whose body (the same
 * bytes the validate scenario sends) is parsed by express.json(), answered with JSON.
 * What the validate endpoint costs beyond it is Latchkey's.
 */
export const bareJsonRoute: RestScenario = {
  name: 'bare JSON route (POST, express.json())',
  mount(app, fixture) {
    const path = '/bench/bare-json';
    app.post(path, express.json(), ok);
    return Promise.resolve({
      path,
      method: 'POST',
      headers: { Authorization: `Bearer ${fixture.token}`, 'Content-Type': 'application/json' },
      body: validateBody(fixture),
      expectStatus: 200,
    });
  },
};

/**
 * The floor under any JSON route on node:http: a POST whose body (the same bytes) is read
 * and parsed with JSON.parse, answered with JSON; no framework.
 */
export const bareNodeJsonRoute: RestScenario = {
  name: 'bare node:http JSON route (POST, JSON.parse)',
  mount(_app, fixture) {
    const path = '/bench/bare-node-json';
    const answer = Buffer.from(JSON.stringify({ ok: true }));
    const handler: RequestListener = (req, res) => {
      if (req.method !== 'POST' || req.url !== path) {
        res.statusCode = 404;
        return void res.end();
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': answer.length,
        });
        res.end(answer);
      });
    };
    return Promise.resolve({ ...validateRequest(fixture, path, fixture.token), handler });
  },
};

const validatePath = `${BACKEND_API_PREFIX}/end_user_api_keys/validate`;

/** A POST of the validate body; `bearer` goes in the Authorization header. */
function validateRequest(
  fixture: RestBenchFixture,
  path: string,
  bearer: string,
): RestBenchRequest {
  return {
    path,
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: validateBody(fixture),
    expectStatus: 200,
  };
}

/** The standalone server's request listener: validation on the lean node:http path. */
function leanValidate(name: string, minRatio: number, baseline: RestScenario): RestScenario {
  return {
    name,
    minRatio,
    baseline,
    mount(_app, fixture) {
      const handler = createRequestListener(fixture.latchkey, BENCH_APP_CONFIG);
      const request = validateRequest(fixture, validatePath, fixture.backendApi.integrationKey);
      return Promise.resolve({ ...request, handler });
    },
  };
}

/** POST /end_user_api_keys/validate with a valid personal key, as the standalone server answers it. */
export const restValidate = leanValidate(
  'REST POST /end_user_api_keys/validate (lean path)',
  2.5,
  bareJsonRoute,
);

/** The same, against the bare node:http route: what the lean path costs beyond reading JSON. */
export const restValidateVsNode = leanValidate(
  'REST validate (lean path), against node:http',
  0.85,
  bareNodeJsonRoute,
);

/** The same route through the Express backend API router: reported, no target. */
export const restValidateExpress: RestScenario = {
  name: 'REST POST /end_user_api_keys/validate (through Express)',
  baseline: bareJsonRoute,
  mount(app, fixture) {
    app.use(BACKEND_API_PREFIX, createBackendApi(fixture.latchkey));
    return Promise.resolve(
      validateRequest(fixture, validatePath, fixture.backendApi.integrationKey),
    );
  },
};

function remoteClientScenario(cached: boolean): RestScenario {
  const path = `/bench/remote-client-${cached ? 'cached' : 'uncached'}`;
  return {
    name: `remote client requireApiKey() (cache ${cached ? 'warm' : 'off'})`,
    minRatio: cached ? 0.9 : undefined,
    async mount(app, fixture) {
      const client = createLatchkeyClient({
        url: fixture.backendApi.origin,
        integrationKey: fixture.backendApi.integrationKey,
        cacheTtlMs: cached ? 60_000 : 0,
      });
      app.get(path, client.requireApiKey(), ok);
      // Warm: the measured requests find the answer cached.
      if (cached) await client.validateApiKey(fixture.token);
      return { path, headers: { Authorization: `Bearer ${fixture.token}` }, expectStatus: 200 };
    },
  };
}

export const remoteClientCached = remoteClientScenario(true);
export const remoteClientUncached = remoteClientScenario(false);

export const restScenarios: RestScenario[] = [
  restValidate,
  restValidateVsNode,
  restValidateExpress,
  remoteClientCached,
  remoteClientUncached,
];
