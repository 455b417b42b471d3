import request from 'supertest';
import { formTokens, PASSWORD } from '../support/pages';
import { label, routesOf, type RouteInfo } from './routes';
import {
  ADMIN_PASSWORD,
  aPopulatedWorld,
  makeSecurityApp,
  type SecurityApp,
  type World,
} from './support';

/**
 * Every page of the hosted pages and the dashboard, served over HTTPS behind a proxy
 * (trust proxy + X-Forwarded-Proto: https): CSP with nonce-only scripts, HSTS, frame
 * and referrer headers; and the session cookies' flags over HTTPS and plain HTTP.
 */

/** A browser-like client that keeps cookies itself, so Secure cookies work over the test's HTTP. */
class Browser {
  private readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];
  constructor(
    private readonly s: SecurityApp,
    private readonly https: boolean,
  ) {}

  private keep(res: request.Response) {
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const line of set ?? []) {
      this.setCookies.push(line);
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      this.cookies.set(name!.trim(), rest.join('='));
    }
    return res;
  }

  private dress(req: request.Test) {
    const jar = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar) req.set('Cookie', jar);
    if (this.https) req.set('X-Forwarded-Proto', 'https');
    return req.set('Accept', 'text/html');
  }

  async get(path: string) {
    return this.keep(await this.dress(request(this.s.app).get(path)));
  }

  async post(path: string, fields: Record<string, string>) {
    return this.keep(await this.dress(request(this.s.app).post(path)).type('form').send(fields));
  }

  async signIn(area: '' | '/admin', email: string, password: string) {
    const page = await this.get(`${area}/login`);
    const res = await this.post(`${area}/login`, { email, password, ...formTokens(page.text) });
    expect(res.status).toBe(303);
  }
}

function headerProblems(res: request.Response, https: boolean): string[] {
  const problems: string[] = [];
  const csp = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
  const scripts = directives.get('script-src') ?? [];
  if (scripts.length !== 1 || !/^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(scripts[0]!))
    problems.push(`script-src is not one nonce: ${scripts.join(' ')}`);
  if ((directives.get('frame-ancestors') ?? []).join(' ') !== "'none'")
    problems.push('frame-ancestors is not none');
  if (!['DENY', 'SAMEORIGIN'].includes(String(res.headers['x-frame-options'])))
    problems.push(`X-Frame-Options: ${String(res.headers['x-frame-options'])}`);
  if (!['same-origin', 'no-referrer'].includes(String(res.headers['referrer-policy'])))
    problems.push(`Referrer-Policy: ${String(res.headers['referrer-policy'])}`);
  if (res.headers['x-content-type-options'] !== 'nosniff') problems.push('no nosniff');
  if (https && !/max-age=\d{7,}/.test(String(res.headers['strict-transport-security'])))
    problems.push(`HSTS: ${String(res.headers['strict-transport-security'])}`);
  // Every script in the page carries this response's nonce; none is inline without it.
  const nonce = /^'nonce-(.+)'$/.exec(scripts[0] ?? '')?.[1];
  for (const tag of res.text.match(/<script\b[^>]*>/g) ?? [])
    if (!nonce || !tag.includes(`nonce="${nonce}"`))
      problems.push(`script without the nonce: ${tag}`);
  if (/\son[a-z]+\s*=/i.test(res.text.replace(/<textarea[\s\S]*?<\/textarea>/g, '')))
    problems.push('an inline event handler, which the CSP would block');
  return problems;
}

describe('security headers on every page', () => {
  let s: SecurityApp;
  let w: World;
  let user: Browser;
  let admin: Browser;
  let pages: RouteInfo[];
  beforeAll(async () => {
    s = await makeSecurityApp({ trustProxy: true });
    w = await aPopulatedWorld(s);
    user = new Browser(s, true);
    await user.signIn('', w.owner.email, PASSWORD);
    admin = new Browser(s, true);
    await admin.signIn('/admin', w.admin.email, ADMIN_PASSWORD);
    pages = routesOf(s.app).filter(
      (r) =>
        r.method === 'get' &&
        !r.path.startsWith('/api/') &&
        r.path !== '/healthz' &&
        r.path !== '/readyz',
    );
  });
  afterAll(() => s.latchkey.close());

  const ids = () => ({
    keyId: w.keys.owner.apiKeyId,
    userId: w.member.id,
    orgId: w.orgA.id,
    id: w.integration.key.id,
    adminId: w.admin.id,
    ...w.webhookIds,
  });

  it('finds the pages of both areas, signed-in and public', () => {
    expect(pages.length).toBeGreaterThanOrEqual(30);
    expect(pages.map(label)).toEqual(expect.arrayContaining(['GET /login', 'GET /admin/login']));
  });

  it('every page, signed in over HTTPS: nonce-only CSP, HSTS, frame and referrer headers', async () => {
    const problems: string[] = [];
    const notRendered: string[] = [];
    for (const route of pages) {
      const values: Record<string, string> = ids();
      if (route.path.startsWith('/orgs/')) values.keyId = w.keys.orgA.apiKeyId;
      const path = route.path.replace(/:(\w+)/g, (_, p: string) => values[p]!);
      const res = await (route.path.startsWith('/admin') ? admin : user).get(path);
      if (res.status !== 200) notRendered.push(`${label(route)} ${res.status}`);
      for (const p of headerProblems(res, true))
        problems.push(`${label(route)} (${res.status}): ${p}`);
    }
    expect(problems).toEqual([]);
    // Every page rendered for real except these redirects and refusals, which are
    // what a signed-in visitor gets there (their headers were checked all the same).
    expect(notRendered.sort()).toEqual([
      'GET / 303',
      'GET /admin/ 303',
      'GET /admin/assets/brand/image/:id 404',
      'GET /admin/login 303',
      'GET /admin/setup 409',
      'GET /assets/brand/image/:id 404',
      'GET /login 303',
      'GET /orgs 303',
      'GET /orgs/go 303',
      'GET /signup 404',
    ]);
  });

  it('error pages, sign-in pages and redirects carry the same headers', async () => {
    const anonymous = new Browser(s, true);
    const problems: string[] = [];
    for (const [who, path] of [
      [anonymous, '/login'],
      [anonymous, '/admin/login'],
      [anonymous, '/admin/setup'],
      [anonymous, '/keys'],
      [anonymous, '/admin/users'],
      [user, '/keys/no-such-key/revoke'],
      [admin, '/admin/no-such-page'],
      [user, `/orgs/${w.orgC.id}/keys`],
    ] as const) {
      const res = await who.get(path);
      for (const p of headerProblems(res, true)) problems.push(`${path} (${res.status}): ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it('a fresh nonce on every response', async () => {
    const a = await user.get('/keys');
    const b = await user.get('/keys');
    expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
  });
});

describe('session cookie flags', () => {
  let s: SecurityApp;
  let w: World;
  beforeAll(async () => {
    s = await makeSecurityApp({ trustProxy: true });
    w = await aPopulatedWorld(s);
  });
  afterAll(() => s.latchkey.close());

  const flags = (line: string) =>
    line
      .split(';')
      .slice(1)
      .map((f) => f.trim().toLowerCase());

  for (const https of [true, false]) {
    it(`over ${https ? 'HTTPS' : 'plain HTTP'}: HttpOnly, SameSite=Lax, Path${https ? ', Secure' : ', not Secure'}`, async () => {
      const user = new Browser(s, https);
      await user.signIn('', w.owner.email, PASSWORD);
      const admin = new Browser(s, https);
      await admin.signIn('/admin', w.admin.email, ADMIN_PASSWORD);
      const lines = [
        ...user.setCookies.map((l) => ['/', l] as const),
        ...admin.setCookies.map((l) => ['/admin', l] as const),
      ];
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const [path, line] of lines) {
        const f = flags(line);
        expect({ line, httpOnly: f.includes('httponly') }).toEqual({ line, httpOnly: true });
        expect(f).toContain('samesite=lax');
        expect(f).toContain(`path=${path}`);
        expect(f.includes('secure')).toBe(https);
      }
    });
  }

  it('signing out clears the cookie on the same path', async () => {
    for (const [area, email, password, path] of [
      ['', w.owner.email, PASSWORD, '/'],
      ['/admin', w.admin.email, ADMIN_PASSWORD, '/admin'],
    ] as const) {
      const b = new Browser(s, true);
      await b.signIn(area, email, password);
      const page = await b.get(area === '' ? '/keys/new' : '/admin/settings');
      const out = await b.post(`${area}/logout`, formTokens(page.text));
      expect(out.status).toBe(303);
      const cleared = (out.headers['set-cookie'] as unknown as string[]).find((l) =>
        /expires=Thu, 01 Jan 1970/i.test(l),
      );
      expect(cleared).toBeDefined();
      expect(flags(cleared!)).toContain(`path=${path}`);
    }
  });
});
