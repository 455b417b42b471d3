import express, { type Express, type RequestHandler } from 'express';
import { createLatchkeyClient } from '../src/client';
import { createBackendApi } from '../src/http/rest/router';
import { BACKEND_API_PREFIX } from '../src/http/rest/routes';
import type { Latchkey } from '../src/latchkey';

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

/** POST /end_user_api_keys/validate with a valid personal key. */
export const restValidate: RestScenario = {
  name: 'REST POST /end_user_api_keys/validate',
  minRatio: 0.85,
  baseline: bareJsonRoute,
  mount(app, fixture) {
    app.use(BACKEND_API_PREFIX, createBackendApi(fixture.latchkey));
    return Promise.resolve({
      path: `${BACKEND_API_PREFIX}/end_user_api_keys/validate`,
      method: 'POST',
      headers: {
        Authorization: `Bearer ${fixture.backendApi.integrationKey}`,
        'Content-Type': 'application/json',
      },
      body: validateBody(fixture),
      expectStatus: 200,
    });
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
  remoteClientCached,
  remoteClientUncached,
];
