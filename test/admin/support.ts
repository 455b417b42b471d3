import request from 'supertest';
import type { App } from 'supertest/types';
import type { Latchkey } from '../../src/latchkey';
import type { Settings } from '../../src/core/types';
import { SETTING_FIELDS } from '../../src/http/admin/settings-fields';
import { makeApp } from '../support/harness';
import { formTokens, PASSWORD } from '../support/pages';

/** Helpers for driving the admin dashboard like a browser. */

export type Agent = ReturnType<typeof request.agent>;

export const ADMIN_PASSWORD = 'admin password 123';

export async function anAdmin(
  latchkey: Latchkey,
  email = `admin-${Math.random().toString(36).slice(2, 8)}@example.com`,
) {
  return latchkey.createAdmin({ email, password: ADMIN_PASSWORD });
}

export async function adminAgent(
  app: App,
  email: string,
  password = ADMIN_PASSWORD,
): Promise<Agent> {
  const agent = request.agent(app);
  const page = await agent.get('/admin/login').expect(200);
  await agent
    .post('/admin/login')
    .type('form')
    .send({ email, password, ...formTokens(page.text) })
    .expect(303);
  return agent;
}

/** The standalone app with one admin signed in. */
export async function signedInAdmin() {
  const { app, latchkey } = await makeApp();
  const admin = await anAdmin(latchkey);
  const agent = await adminAgent(app, admin.email);
  return { app, latchkey, admin, agent };
}

/** Loads `pagePath` and posts its form tokens plus `fields` to `action` (fields may repeat). */
export async function post(
  agent: Agent,
  pagePath: string,
  action: string,
  fields: Record<string, string | string[]> = {},
) {
  const page = await agent.get(pagePath).expect(200);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...formTokens(page.text), ...fields }))
    for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  return agent.post(action).type('form').send(body.toString());
}

export function whoami(app: App, token: string) {
  return request(app).post('/api/whoami').set('Authorization', `Bearer ${token}`);
}

/** The settings form as a browser would submit it: current values with `changes` applied. */
export function formFor(
  settings: Settings,
  changes: Partial<Record<keyof Settings, unknown>> = {},
) {
  const merged = { ...settings, ...changes } as Record<string, unknown>;
  const fields: Record<string, string | string[]> = {};
  for (const f of SETTING_FIELDS) {
    const v = merged[f.name];
    if (f.kind === 'toggle') {
      if (v === true) fields[f.name] = 'on';
    } else if (f.kind === 'choices') fields[f.name] = v as string[];
    else if (f.kind === 'rateLimit') {
      const limit = v as { limit: number; periodSeconds: number } | null;
      fields[`${f.name}Limit`] = limit ? String(limit.limit) : '';
      fields[`${f.name}PeriodCount`] = limit ? String(limit.periodSeconds) : '1';
      fields[`${f.name}PeriodUnit`] = 'second';
    } else fields[f.name] = v === null ? '' : String(v);
  }
  return fields;
}

export { PASSWORD };
