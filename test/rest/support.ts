import request from 'supertest';
import type { z } from 'zod';
import { makeApp } from '../support/harness';
import type { LatchkeyOptions } from '../../src/latchkey';

export const API = '/api/backend/v1';

/** The standalone app with one integration key, and request helpers that send it. */
export async function makeBackend(options: LatchkeyOptions = {}) {
  const { app, latchkey } = await makeApp(options);
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
