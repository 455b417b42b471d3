import express, { type Express } from 'express';
import request from 'supertest';
import type { BenchRequest } from '../../bench/scenario';
import type { z } from 'zod';
import { createApp, createRequestListener } from '../../src/app';
import { makeLatchkey } from '../support/harness';
import type { LatchkeyOptions } from '../../src/latchkey';

export const API = '/api/backend/v1';

/**
 * The two ways the standalone server answers the validation routes: the Express app alone,
 * or the lean node:http handler in front of it (what the server listens with). Suites that
 * validate run once for each.
 */
export const SERVING = ['through Express', 'lean path'] as const;
export type Serving = (typeof SERVING)[number];

/** The standalone app with one integration key, and request helpers that send it. */
export async function makeBackend(options: LatchkeyOptions = {}, serving: Serving = 'lean path') {
  const latchkey = await makeLatchkey(options);
  const config = { TRUST_PROXY: false, BODY_LIMIT: '100kb' };
  const app =
    serving === 'lean path' ? createRequestListener(latchkey, config) : createApp(latchkey, config);
  const { token: integrationKey } = await latchkey.createIntegrationKey('tests');
  const auth = { Authorization: `Bearer ${integrationKey}` };
  const api = {
    get: (path: string) => request(app).get(`${API}${path}`).set(auth),
    post: (path: string, body?: object) =>
      request(app)
        .post(`${API}${path}`)
        .set(auth)
        .send(body ?? {}),
    patch: (path: string, body: object) => request(app).patch(`${API}${path}`).set(auth).send(body),
    delete: (path: string) => request(app).delete(`${API}${path}`).set(auth),
  };
  return { app, latchkey, integrationKey, auth, api };
}

/** Asserts a body has exactly the documented shape, and returns it typed. */
export function shaped<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new Error(
      `answer does not match its schema: ${result.error.message}\n${JSON.stringify(body)}`,
    );
  }
  return result.data;
}

/**
 * Mounts a bench scenario on an app of its own, as the bench server does, and sends it the
 * request it names: its answer, and the status the bench expects of it.
 */
export async function sendBenchRequest<F>(
  scenario: { mount(app: Express, fixture: F): Promise<BenchRequest> | BenchRequest },
  fixture: F,
): Promise<{ res: request.Response; expected: number }> {
  const app = express();
  const req = await scenario.mount(app, fixture);
  const agent = request(req.handler ?? app);
  let call = (req.method === 'POST' ? agent.post(req.path) : agent.get(req.path)).set(
    req.headers ?? {},
  );
  if (req.body) call = call.send(req.body);
  return { res: await call, expected: req.expectStatus };
}
