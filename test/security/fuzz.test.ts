import fc from 'fast-check';
import request from 'supertest';
import type { z } from 'zod';
import { SETTING_FIELDS } from '../../src/http/admin/settings-fields';
import { ENDPOINTS, BACKEND_API_PREFIX as API } from '../../src/http/rest/routes';
import { expressPath } from '../../src/http/rest/router';
import { formTokens } from '../support/pages';
import { label, routesOf, type RouteInfo } from './routes';
import { areaOf } from './stamp';
import {
  adminAgent,
  aPopulatedWorld,
  leakedIn,
  makeSecurityApp,
  secretsOf,
  snapshot,
  userAgent,
  type Agent,
  type SecurityApp,
  type World,
} from './support';

/**
 * Property tests over what clients send: the Authorization header (the backend API
 * and both page areas; requireApiKey's own header fuzz is in test/http/require-api-key.test.ts),
 * every JSON body of the backend API and every form of the hosted pages and dashboard,
 * sent with a valid session and CSRF token so the handlers themselves run.
 * Never a 500, and a rejected request never changes anything stored.
 */

const SEED = fc.readConfigureGlobal().seed ?? 20_261_128;
/** FUZZ_SCALE=10 runs ten times the inputs, for a longer hunt than `npm test` allows. */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE), seed: SEED, endOnFailure: true });

/** Answers a request and checks the two promises; moves the baseline when it was accepted. */
function guard(latchkey: SecurityApp['latchkey']) {
  let before = snapshot(latchkey);
  let accepted = 0;
  return {
    async check(what: string, res: request.Response) {
      if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${res.text}`);
      const after = snapshot(latchkey);
      if (res.status >= 400 && after !== before)
        throw new Error(`${what} was refused (${res.status}) but changed the store`);
      if (res.status < 400) accepted++;
      before = after;
    },
    get accepted() {
      return accepted;
    },
  };
}

/** Values a client might put in a field: real ids, near-misses, odd text, JSON of any shape. */
function fieldValue(w: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      w.member.id,
      w.orgA.id,
      w.orgC.id,
      w.keys.member.apiKeyId,
      w.member.email,
      w.member.id.toUpperCase(),
      'Owner',
      'Admin',
      'Member',
      'x'.repeat(300),
      '',
      ' ',
      '{}',
      '__proto__',
      '2030-01-01',
    ),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 2 }),
  );
}

describe('fuzzing the Authorization header outside requireApiKey', () => {
  let s: SecurityApp & { world: World };
  beforeAll(async () => {
    const app = await makeSecurityApp();
    s = { ...app, world: await aPopulatedWorld(app) };
  });
  afterAll(() => s.latchkey.close());

  it('gets the documented refusal from the backend API and both page areas, never a 500 (property)', async () => {
    const printable = fc.string({ unit: 'binary', maxLength: 200 }).map((v) =>
      // Only what an HTTP client can put in a header; raw bytes are fuzzed in test/http.
      v.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''),
    );
    const token = s.world.integration.token;
    const near = fc
      .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom('a', 'Z', '0', '_', ' '))
      .map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1))
      .filter((t) => t !== token);
    const header = fc.oneof(
      printable,
      printable.map((v) => `Bearer ${v}`),
      near.map((v) => `Bearer ${v}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', s.world.keys.member.apiKeyToken),
    );
    const g = guard(s.latchkey);
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.constantFrom('/admin/settings', '/keys', `${API}/end_user_api_keys`),
        async (value, path) => {
          const res = await request(s.app)
            .get(path)
            .set('Accept', 'application/json')
            .set('Authorization', value);
          await g.check(`GET ${path} with Authorization ${JSON.stringify(value)}`, res);
          expect(res.status).toBe(401);
        },
      ),
      runs(450),
    );
  });
});

describe('fuzzing the backend API bodies', () => {
  let s: SecurityApp & { world: World };
  beforeAll(async () => {
    const app = await makeSecurityApp();
    s = { ...app, world: await aPopulatedWorld(app) };
  });
  afterAll(() => s.latchkey.close());

  const withBodies = ENDPOINTS.filter((e) => e.method === 'post' || e.method === 'patch');

  it('covers every POST and PATCH route of the route table', () => {
    expect(withBodies.length).toBeGreaterThanOrEqual(10);
    expect(withBodies.filter((e) => e.body).length).toBeGreaterThanOrEqual(10);
  });

  it('answers a body field named "constructor" or "__proto__" with 400 naming it, not 500', async () => {
    for (const name of ['constructor', '__proto__']) {
      const res = await request(s.app)
        .post(`${API}/org/add_user`)
        .set('Authorization', `Bearer ${s.world.integration.token}`)
        .set('Content-Type', 'application/json')
        .send(`{"${name}": "x"}`);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body as object)).toContain(name);
    }
  });

  for (const endpoint of withBodies) {
    it(`${endpoint.method.toUpperCase()} ${endpoint.path}: any body, never a 500, refusals store nothing (property)`, async () => {
      const w = s.world;
      const fields = Object.keys(
        (endpoint.body as z.ZodObject<z.ZodRawShape> | undefined)?.shape ?? {},
      );
      const ids: Record<string, string> = {
        api_key_id: w.keys.owner.apiKeyId,
        user_id: w.member.id,
        org_id: w.orgA.id,
      };
      const path = `${API}${expressPath(endpoint.path).replace(/:(\w+)/g, (_, p: string) => ids[p]!)}`;
      const named = fc.dictionary(
        fc.constantFrom(...fields, ...fields, 'unexpected', '__proto__', 'constructor'),
        fieldValue(w),
        { maxKeys: fields.length + 1 },
      );
      const body = fc.oneof(
        { weight: 5, arbitrary: named },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      );
      const g = guard(s.latchkey);
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const client = request(s.app);
          const res = await client[endpoint.method](path)
            .set('Authorization', `Bearer ${w.integration.token}`)
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(value));
          await g.check(`${endpoint.method.toUpperCase()} ${path} ${JSON.stringify(value)}`, res);
        }),
        runs(120),
      );
    });
  }

  it('logged no password, token or integration key through all of it', () => {
    expect(leakedIn(s.latchkey.logs.text, secretsOf(s.world))).toEqual([]);
  });
});

const FORM_FIELDS = [
  'displayName',
  'expiry',
  'email',
  'password',
  'passwordConfirm',
  'name',
  'role',
  'expiresAt',
  'metadata',
  'token',
  'passwordRequired',
  'next',
  ...SETTING_FIELDS.map((f) => f.name),
];

/** A form body: known and unknown fields, some repeated (which the parser turns into lists). */
function formBody(w: World): fc.Arbitrary<[string, string][]> {
  const text = fc.oneof(
    fieldValue(w).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
    fc.constantFrom('on', 'never', '3m', '1y', '-1', '0', '999999999', 'lk', 'ABC'),
  );
  return fc.array(
    fc.tuple(fc.constantFrom(...FORM_FIELDS, 'unexpected', '__proto__', 'hasOwnProperty'), text),
    { maxLength: 14 },
  );
}

function stampFormFuzz(area: 'hosted pages' | 'admin', runsPerRoute: number) {
  let s: SecurityApp & { world: World; agent: Agent; routes: RouteInfo[] };
  beforeAll(async () => {
    const app = await makeSecurityApp();
    const world = await aPopulatedWorld(app);
    // The dashboard fuzz may delete an admin: a second one, never the one signed in.
    if (area === 'admin')
      await app.latchkey.createAdmin({
        email: 'second@example.com',
        password: 'second admin pw',
      });
    const agent =
      area === 'admin'
        ? await adminAgent(app.app, world.admin.email)
        : await userAgent(app.app, world.owner.email);
    const routes = routesOf(app.app).filter(
      (r) => r.method === 'post' && areaOf(r) === area && !/\/(logout|login|setup)$/.test(r.path),
    );
    s = { ...app, world, agent, routes };
  });
  afterAll(() => s.latchkey.close());

  it(`finds the ${area} forms in the router stacks`, () => {
    expect(s.routes.length).toBeGreaterThanOrEqual(area === 'admin' ? 15 : 2);
  });

  it(`every ${area} form: any fields, never a 500, refusals store nothing (property)`, async () => {
    const w = s.world;
    const other = await s.latchkey.store.listAdmins();
    const ids: Record<string, string> = {
      keyId: w.keys.owner.apiKeyId,
      userId: w.member.id,
      orgId: w.orgA.id,
      id: w.integration.key.id,
      ...w.webhookIds,
      adminId: other.find((a) => a.id !== w.admin.id)?.id ?? '00000000-0000-4000-8000-000000000000',
    };
    const formPage = area === 'admin' ? '/admin/settings' : '/keys/new';
    const g = guard(s.latchkey);
    const tried = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...s.routes), formBody(w), async (route, fields) => {
        tried.add(label(route));
        const path = route.path.replace(/:(\w+)/g, (_, p: string) => ids[p]!);
        const page = await s.agent.get(formPage).expect(200);
        const body = new URLSearchParams([...Object.entries(formTokens(page.text)), ...fields]);
        const res = await s.agent
          .post(path)
          .set('Accept', 'text/html')
          .type('form')
          .send(body.toString());
        await g.check(`POST ${path} ${body.toString()}`, res);
        // The session and CSRF were valid, so the handler itself answered.
        expect([401, 403].includes(res.status) && /sign in|did not come from/i.test(res.text)).toBe(
          false,
        );
      }),
      runs(runsPerRoute * s.routes.length),
    );
    expect(tried.size).toBe(s.routes.length);
    expect(leakedIn(s.latchkey.logs.text, secretsOf(w))).toEqual([]);
  });
}

describe('fuzzing the hosted page forms', () => stampFormFuzz('hosted pages', 60));
describe('fuzzing the dashboard forms', () => stampFormFuzz('admin', 30));
