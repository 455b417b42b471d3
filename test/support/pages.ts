import request from 'supertest';
import type { App } from 'supertest/types';
import type { Latchkey } from '../../src/latchkey';

/** Helpers for driving the hosted pages like a browser: cookies, CSRF tokens and form ids. */

export const PASSWORD = 'correct horse battery';

/** The hidden CSRF and form-id fields of the first form on a page. */
export function formTokens(html: string): { _csrf: string; formId: string } {
  const csrf = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
  const formId = /name="formId" value="([^"]*)"/.exec(html)?.[1];
  if (!csrf || !formId) throw new Error('the page has no form with CSRF fields');
  return { _csrf: csrf, formId };
}

export async function aUserWithPassword(latchkey: Latchkey, email?: string) {
  return latchkey.createUser({
    email: email ?? `u-${Math.random().toString(36).slice(2, 10)}@example.com`,
    password: PASSWORD,
  });
}

/** A cookie-keeping agent signed in as the given user. */
export async function signedInAgent(app: App, email: string, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ email, password, ...formTokens(page.text) })
    .expect(303);
  return agent;
}

/** Loads `pagePath`, then submits its first form to `action` with `fields`. */
export async function submitForm(
  agent: ReturnType<typeof request.agent>,
  pagePath: string,
  action: string,
  fields: Record<string, string>,
): Promise<request.Response> {
  const page = await agent.get(pagePath).expect(200);
  return agent
    .post(action)
    .type('form')
    .send({ ...formTokens(page.text), ...fields });
}

/** The token shown once on a keys page, if any. */
export const shownToken = (html: string): string | null =>
  /<textarea id="new-key-token"[^>]*>([^<]+)<\/textarea>/.exec(html)?.[1]?.trim() ?? null;
