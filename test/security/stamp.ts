import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { generateToken } from '../../src/core/token';
import { BACKEND_API_PREFIX } from '../../src/http/rest/routes';
import { label, routesOf, type RouteInfo } from './routes';
import {
  adminAgent,
  aPopulatedWorld,
  cookieOf,
  formFieldsFor,
  makeSecurityApp,
  signedSid,
  snapshot,
  userAgent,
  type SecurityApp,
  type World,
} from './support';

/**
 * One helper stamps the same credential checks on every protected route of an area.
 * ANSWERS below is the documented answer for each case (docs/security.md has the same table).
 */

export const CREDENTIAL_CASES = [
  'missing',
  'malformed',
  'unknown',
  'archived',
  'expired',
  'wrong kind',
  'wrong role',
] as const;
export type CredentialCase = (typeof CREDENTIAL_CASES)[number];

/** Where a route lives decides which credential it takes. */
export type Area = 'api key' | 'backend api' | 'hosted pages' | 'admin';

export interface Answer {
  status: number;
  /** The `error` field of the JSON body. */
  error: string;
}

/** A GET from a browser (Accept: text/html) without a valid credential: off to the area's sign-in. */
export const SIGN_IN_REDIRECT = 303;

const gone = (error = 'forbidden'): Answer => ({ status: 403, error });
const unauthorized: Answer = { status: 401, error: 'unauthorized' };

/**
 * THE answer table. Page areas: a GET from a browser is sent to the sign-in page
 * (303, `next` = the page asked for); a GET asking for JSON gets `json`; a POST gets
 * `post`: 403 when no live session stands behind the request (the CSRF check fails
 * before any handler runs), 401 when a live session of the wrong role does.
 * `null`: the case cannot occur in that area.
 */
export const ANSWERS: Record<
  Area,
  Record<CredentialCase, { json: Answer; post: Answer } | null>
> = {
  'api key': {
    missing: both({ status: 401, error: 'missing_api_key' }),
    malformed: both({ status: 401, error: 'invalid_api_key' }),
    unknown: both({ status: 401, error: 'invalid_api_key' }),
    archived: both({ status: 401, error: 'invalid_api_key' }),
    expired: both({ status: 401, error: 'invalid_api_key' }),
    'wrong kind': both({ status: 401, error: 'invalid_api_key' }),
    'wrong role': both({ status: 401, error: 'missing_api_key' }),
  },
  'backend api': {
    missing: both(unauthorized),
    malformed: both(unauthorized),
    unknown: both(unauthorized),
    archived: both(unauthorized),
    // Integration keys do not expire: they are revoked (archived) instead.
    expired: null,
    'wrong kind': both(unauthorized),
    'wrong role': both(unauthorized),
  },
  'hosted pages': pageAnswers(),
  admin: pageAnswers(),
};

function both(answer: Answer) {
  return { json: answer, post: answer };
}

function pageAnswers(): Record<CredentialCase, { json: Answer; post: Answer }> {
  return {
    missing: { json: unauthorized, post: gone() },
    malformed: { json: unauthorized, post: gone() },
    unknown: { json: unauthorized, post: gone() },
    archived: { json: unauthorized, post: gone() },
    expired: { json: unauthorized, post: gone() },
    'wrong kind': { json: unauthorized, post: gone() },
    'wrong role': { json: unauthorized, post: unauthorized },
  };
}

/** What a client presents for one case: headers, the CSRF token of its session, a clock shift. */
interface Presented {
  headers: Record<string, string>;
  csrf?: string;
  laterBySeconds?: number;
}

const SESSION_IDLE_SECONDS = 30 * 60;

/** Everything the credential cases need, made once per area. */
export async function credentialFixture(): Promise<CredentialFixture> {
  const app = await makeSecurityApp();
  const world = await aPopulatedWorld(app);
  const { latchkey } = app;
  const session = async (kind: 'user' | 'admin') => {
    const agent =
      kind === 'user'
        ? await userAgent(app.app, world.member.email)
        : await adminAgent(app.app, world.admin.email);
    const cookie =
      kind === 'user'
        ? cookieOf(agent, 'latchkey.sid')
        : cookieOf(agent, 'latchkey.admin.sid', '/admin');
    const { _csrf } = await formFieldsFor(agent, kind === 'user' ? '/keys/new' : '/admin/settings');
    return { agent, cookie, csrf: _csrf };
  };
  const signedOut = async (kind: 'user' | 'admin') => {
    const s = await session(kind);
    await s.agent
      .post(kind === 'user' ? '/logout' : '/admin/logout')
      .type('form')
      .send({ _csrf: s.csrf })
      .expect(303);
    return s;
  };
  const archivedKey = await latchkey.createApiKey({ userId: world.member.id });
  await latchkey.archiveApiKey(archivedKey.apiKeyId);
  const expiringKey = await latchkey.createApiKey({
    userId: world.member.id,
    expiresAt: Math.floor(Date.now() / 1000) + 60,
  });
  const archivedIntegration = await latchkey.createIntegrationKey('revoked');
  await latchkey.archiveIntegrationKey(archivedIntegration.key.id);
  const fixture: CredentialFixture = {
    ...app,
    world,
    user: await session('user'),
    admin: await session('admin'),
    userSignedOut: await signedOut('user'),
    adminSignedOut: await signedOut('admin'),
    userToExpire: await session('user'),
    adminToExpire: await session('admin'),
    archivedApiKey: archivedKey.apiKeyToken,
    expiringApiKey: expiringKey.apiKeyToken,
    archivedIntegrationKey: archivedIntegration.token,
    before: '',
  };
  fixture.before = snapshot(latchkey);
  return fixture;
}

interface SessionFixture {
  cookie: string;
  csrf: string;
}

export interface CredentialFixture extends SecurityApp {
  world: World;
  user: SessionFixture;
  admin: SessionFixture;
  userSignedOut: SessionFixture;
  adminSignedOut: SessionFixture;
  userToExpire: SessionFixture;
  adminToExpire: SessionFixture;
  archivedApiKey: string;
  expiringApiKey: string;
  archivedIntegrationKey: string;
  /** The store before any stamped request. */
  before: string;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const cookie = (pairs: Record<string, string>) => ({
  Cookie: Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}`)
    .join('; '),
});

function present(f: CredentialFixture, area: Area, c: CredentialCase): Presented | null {
  const apiKey = f.world.keys.member.apiKeyToken;
  const integrationKey = f.world.integration.token;
  if (area === 'api key' || area === 'backend api') {
    const prefix = area === 'api key' ? 'lk' : 'lki';
    switch (c) {
      case 'missing':
        return { headers: {} };
      case 'malformed':
        return { headers: bearer(`${prefix}_not-a-token`) };
      case 'unknown':
        return { headers: bearer(generateToken(prefix)) };
      case 'archived':
        return {
          headers: bearer(area === 'api key' ? f.archivedApiKey : f.archivedIntegrationKey),
        };
      case 'expired':
        return area === 'api key'
          ? { headers: bearer(f.expiringApiKey), laterBySeconds: 120 }
          : null;
      case 'wrong kind':
        return { headers: bearer(area === 'api key' ? integrationKey : apiKey) };
      case 'wrong role':
        return area === 'api key'
          ? { headers: cookie({ 'latchkey.sid': f.user.cookie }) }
          : { headers: cookie({ 'latchkey.admin.sid': f.admin.cookie }) };
    }
  }
  const name = area === 'admin' ? 'latchkey.admin.sid' : 'latchkey.sid';
  const signedOut = area === 'admin' ? f.adminSignedOut : f.userSignedOut;
  const toExpire = area === 'admin' ? f.adminToExpire : f.userToExpire;
  switch (c) {
    case 'missing':
      return { headers: {} };
    case 'malformed':
      return { headers: cookie({ [name]: 'not-a-signed-session-id' }) };
    case 'unknown':
      return { headers: cookie({ [name]: signedSid(randomBytes(24).toString('base64url')) }) };
    case 'archived':
      return { headers: cookie({ [name]: signedOut.cookie }), csrf: signedOut.csrf };
    case 'expired':
      return {
        headers: cookie({ [name]: toExpire.cookie }),
        csrf: toExpire.csrf,
        laterBySeconds: SESSION_IDLE_SECONDS + 60,
      };
    case 'wrong kind':
      return { headers: bearer(area === 'admin' ? integrationKey : apiKey) };
    case 'wrong role': {
      // The other area's live session, under this area's cookie name (and, for the
      // dashboard, the end user's own cookie too, as a browser sends it there).
      const other = area === 'admin' ? f.user : f.admin;
      const pairs: Record<string, string> = { [name]: other.cookie };
      if (area === 'admin') pairs['latchkey.sid'] = other.cookie;
      return { headers: cookie(pairs), csrf: other.csrf };
    }
  }
}

/** Real ids for every route parameter, so a refusal cannot be a "not found" in disguise. */
function concrete(f: CredentialFixture, path: string): string {
  const w = f.world;
  const ids: Record<string, string> = {
    keyId: w.keys.member.apiKeyId,
    api_key_id: w.keys.member.apiKeyId,
    userId: w.member.id,
    user_id: w.member.id,
    orgId: w.orgA.id,
    org_id: w.orgA.id,
    adminId: w.admin.id,
    id: w.integration.key.id,
    ...w.webhookIds,
  };
  return path.replace(/:(\w+)/g, (_, param: string) => {
    const id = ids[param];
    if (!id) throw new Error(`no sample id for the route parameter :${param}; add one to stamp.ts`);
    return id;
  });
}

async function laterBy<T>(seconds: number | undefined, run: () => Promise<T>): Promise<T> {
  if (!seconds) return run();
  const realNow = Date.now.bind(Date);
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + seconds * 1000);
  try {
    return await run();
  } finally {
    spy.mockRestore();
  }
}

function send(
  f: CredentialFixture,
  area: Area,
  route: RouteInfo,
  p: Presented,
  accept: 'json' | 'html',
) {
  const path = concrete(f, route.path);
  const client = request(f.app);
  let req = client[route.method](path)
    .set(p.headers)
    .set('Accept', accept === 'html' ? 'text/html' : 'application/json');
  if (route.method !== 'get') {
    req =
      area === 'hosted pages' || area === 'admin'
        ? req.type('form').send({ _csrf: p.csrf ?? '', formId: 'stamp', name: 'x' })
        : req.send({});
  }
  return laterBy(p.laterBySeconds, async () => req);
}

/** Routes anyone may call: sign-in, sign-out, setup, sign-up, health, readiness and the API description. */
export const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /api/openapi.json',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /signup',
  'POST /signup',
  'GET /admin/login',
  'POST /admin/login',
  'POST /admin/logout',
  'GET /admin/setup',
  'POST /admin/setup',
  // The brand's stylesheet and images: the sign-in page shows them to visitors.
  'GET /assets/brand/theme.css',
  'GET /assets/brand/image/:id',
];

/** Which area a route belongs to, by where it is mounted; null for the public ones. */
export function areaOf(route: RouteInfo): Area | null {
  if (PUBLIC_ROUTES.includes(label(route))) return null;
  if (route.path.startsWith(`${BACKEND_API_PREFIX}/`)) return 'backend api';
  if (route.path.startsWith('/admin/')) return 'admin';
  if (route.path.startsWith('/api/')) return 'api key';
  return 'hosted pages';
}

/**
 * Stamps every credential case on every route of `area` the app serves (read from its
 * router stacks, so a new route is stamped without being listed), then checks the
 * store is exactly as it was. `fixture` is filled by the caller's beforeAll.
 */
export function stampCredentialChecks(area: Area, fixture: () => CredentialFixture): void {
  const pageArea = area === 'hosted pages' || area === 'admin';
  const signIn = area === 'admin' ? '/admin/login' : '/login';
  for (const c of CREDENTIAL_CASES) {
    const answer = ANSWERS[area][c];
    if (!answer) continue;
    const what = pageArea
      ? `GET: ${SIGN_IN_REDIRECT} to ${signIn} (HTML) or ${answer.json.status} ${answer.json.error} (JSON); POST: ${answer.post.status} ${answer.post.error}`
      : `${answer.json.status} ${answer.json.error}`;
    it(`${c} credentials on every ${area} route: ${what}`, async () => {
      const f = fixture();
      const routes = routesOf(f.app).filter((r) => areaOf(r) === area);
      expect(routes.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const route of routes) {
        const expected = route.method === 'get' ? answer.json : answer.post;
        const p = present(f, area, c)!;
        const res = await send(f, area, route, p, 'json');
        const got = { status: res.status, error: (res.body as { error?: unknown }).error };
        if (got.status !== expected.status || got.error !== expected.error)
          wrong.push(`${label(route)}: ${got.status} ${String(got.error)}`);
        if (!pageArea && !/^Bearer realm="/.test(String(res.headers['www-authenticate'])))
          wrong.push(`${label(route)}: no Bearer challenge`);
        if (pageArea && route.method === 'get') {
          const browser = await send(f, area, route, p, 'html');
          const to = `${signIn}?next=${encodeURIComponent(concrete(f, route.path))}`;
          if (browser.status !== SIGN_IN_REDIRECT || browser.headers.location !== to)
            wrong.push(`${label(route)} (HTML): ${browser.status} ${browser.headers.location}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(snapshot(f.latchkey)).toBe(f.before);
    });
  }
}
