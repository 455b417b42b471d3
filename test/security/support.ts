import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createApp } from '../../src/app';
import type { LatchkeyOptions } from '../../src/latchkey';
import { isSqliteStore } from '../../src/store/sqlite';
import { makeLatchkey } from '../support/harness';
import { formTokens, PASSWORD } from '../support/pages';

/** Helpers shared by the security suite: a populated world, signed-in agents, store snapshots. */

export const SESSION_SECRET = 'security-suite-session-secret-0123456789';
export const ADMIN_PASSWORD = 'admin password 123';
export type Agent = ReturnType<typeof request.agent>;

export async function makeSecurityApp(options: LatchkeyOptions & { trustProxy?: boolean } = {}) {
  const { trustProxy, ...latchkeyOptions } = options;
  const latchkey = await makeLatchkey(latchkeyOptions);
  const app = createApp(latchkey, {
    TRUST_PROXY: trustProxy ?? false,
    BODY_LIMIT: '100kb',
    SESSION_SECRET,
  });
  return { app, latchkey };
}

export type SecurityApp = Awaited<ReturnType<typeof makeSecurityApp>>;

let seq = 0;
const email = (who: string) => `${who}-${++seq}-${randomBytes(3).toString('hex')}@example.com`;

/**
 * Org A has an owner, an admin and a plain member; user S owns org C and nothing in A.
 * Every user has a personal key, every org a key made by its owner. One dashboard
 * admin and one integration key.
 */
export async function aPopulatedWorld({ latchkey }: SecurityApp) {
  const user = async (who: string) =>
    latchkey.createUser({ email: email(who), password: PASSWORD });
  const [owner, orgAdmin, member, stranger] = [
    await user('owner'),
    await user('orgadmin'),
    await user('member'),
    await user('stranger'),
  ];
  const orgA = await latchkey.createOrg({ name: 'Org A' });
  const orgC = await latchkey.createOrg({ name: 'Org C' });
  await latchkey.addUserToOrg(orgA.id, owner.id, 'Owner');
  await latchkey.addUserToOrg(orgA.id, orgAdmin.id, 'Admin');
  await latchkey.addUserToOrg(orgA.id, member.id, 'Member');
  await latchkey.addUserToOrg(orgC.id, stranger.id, 'Owner');
  const personal = async (userId: string) =>
    latchkey.createApiKey({ userId, displayName: 'personal' });
  const keys = {
    owner: await personal(owner.id),
    orgAdmin: await personal(orgAdmin.id),
    member: await personal(member.id),
    stranger: await personal(stranger.id),
    orgA: await latchkey.createApiKey({ orgId: orgA.id, userId: owner.id, displayName: 'A key' }),
    orgC: await latchkey.createApiKey({
      orgId: orgC.id,
      userId: stranger.id,
      displayName: 'C key',
    }),
  };
  const admin = await latchkey.createAdmin({
    email: email('admin'),
    password: ADMIN_PASSWORD,
  });
  const integration = await latchkey.createIntegrationKey('security suite');
  const webhook = await latchkey.webhooks.addEndpoint({ url: 'https://hooks.example.com/in' });
  await latchkey.webhooks.sendTestEvent(webhook.endpoint.id);
  await latchkey.store.fanOutEvents(Math.floor(Date.now() / 1000), 10);
  const [delivery] = (await latchkey.webhooks.listDeliveries(webhook.endpoint.id)).items;
  const webhookIds = { endpointId: webhook.endpoint.id, deliveryId: delivery!.id };
  const webhookSecret = webhook.secret;
  return {
    owner,
    orgAdmin,
    member,
    stranger,
    orgA,
    orgC,
    keys,
    admin,
    integration,
    webhookIds,
    webhookSecret,
  };
}

export type World = Awaited<ReturnType<typeof aPopulatedWorld>>;

/** A cookie-keeping agent signed in to the hosted pages as `userEmail`. */
export async function userAgent(app: App, userEmail: string): Promise<Agent> {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ email: userEmail, password: PASSWORD, ...formTokens(page.text) })
    .expect(303);
  return agent;
}

/** A cookie-keeping agent signed in to the dashboard as `adminEmail`. */
export async function adminAgent(app: App, adminEmail: string): Promise<Agent> {
  const agent = request.agent(app);
  const page = await agent.get('/admin/login').expect(200);
  await agent
    .post('/admin/login')
    .type('form')
    .send({ email: adminEmail, password: ADMIN_PASSWORD, ...formTokens(page.text) })
    .expect(303);
  return agent;
}

/** The raw value of a cookie an agent holds (e.g. its session id cookie). */
export function cookieOf(agent: Agent, name: string, path = '/'): string {
  const jar = (agent as unknown as { jar: { getCookie(n: string, o: object): { value: string } } })
    .jar;
  const cookie = jar.getCookie(name, { domain: '127.0.0.1', path, secure: false, script: false });
  if (!cookie) throw new Error(`the agent holds no ${name} cookie`);
  return cookie.value;
}

/** A session cookie value for `sid` signed with the suite's secret, as express-session makes them. */
export function signedSid(sid: string): string {
  const mac = createHmac('sha256', SESSION_SECRET).update(sid).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${sid}.${mac}`);
}

/** The CSRF token and form id of the session behind `agent`, read from a page it may load. */
export async function formFieldsFor(agent: Agent, pagePath: string) {
  const page = await agent.get(pagePath).expect(200);
  return formTokens(page.text);
}

/**
 * Every stored table except sessions, as comparable JSON: a rejected request must
 * leave this unchanged. An integration key's last-use time is left out: authenticating
 * records it (at most once a minute, after answering), whatever the request asks.
 */
export function snapshot(latchkey: SecurityApp['latchkey']): string {
  const { store } = latchkey;
  if (!isSqliteStore(store)) throw new Error('snapshots need the SQLite store');
  const tables = store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sessions'")
    .all() as { name: string }[];
  const out: Record<string, string[]> = {};
  for (const { name } of tables.sort((a, b) => a.name.localeCompare(b.name)))
    out[name] = store.db
      .prepare(`SELECT * FROM "${name}"`)
      .all()
      .map((row) => JSON.stringify(name === 'integration_keys' ? withoutLastUse(row) : row))
      .sort();
  return JSON.stringify(out);
}

function withoutLastUse(row: unknown): unknown {
  const { last_used_at: _ignored, ...rest } = row as Record<string, unknown>;
  return rest;
}

/** Every secret a populated world holds: its passwords, tokens and integration key. */
export function secretsOf(w: World): Record<string, string> {
  return {
    userPassword: PASSWORD,
    adminPassword: ADMIN_PASSWORD,
    integrationKey: w.integration.token,
    webhookSigningSecret: w.webhookSecret,
    ...Object.fromEntries(Object.entries(w.keys).map(([k, v]) => [`${k} token`, v.apiKeyToken])),
  };
}

/** The names of the secrets that appear in `text`. */
export const leakedIn = (text: string, secrets: Record<string, string>): string[] =>
  Object.entries(secrets)
    .filter(([, v]) => text.includes(v))
    .map(([name]) => name);
