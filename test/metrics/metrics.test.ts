import fc from 'fast-check';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createLatchkey, type Latchkey } from '../../src/latchkey';
import { createLogger } from '../../src/logger';
import { parsePrometheusText, valueOf } from './prometheus-text';

const BASE = { TRUST_PROXY: false, BODY_LIMIT: '100kb', SESSION_SECRET: 'x'.repeat(32) };
let lk: Latchkey;
beforeEach(async () => {
  lk = await createLatchkey({
    databasePath: ':memory:',
    logger: createLogger({ level: 'silent' }),
    bcryptCost: 4,
    invalidKeyLimitPerMinute: 4,
  });
});
afterEach(() => lk.close());

const scrape = async (app: ReturnType<typeof createApp>, token?: string) => {
  const res = await request(app)
    .get('/metrics')
    .set(token ? { Authorization: `Bearer ${token}` } : {});
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, families: parsePrometheusText(res.text) };
};

describe('/metrics on the standalone app', () => {
  it('counts validations by outcome and kind, the cache, and requests by route template', async () => {
    const app = createApp(lk, { ...BASE, METRICS_ENABLED: true });
    const { apiKeyToken } = await lk.createApiKey({});
    for (let i = 0; i < 3; i++)
      await request(app)
        .post('/api/whoami')
        .set('Authorization', `Bearer ${apiKeyToken}`)
        .expect(200);
    await request(app).post('/api/whoami').set('Authorization', 'Bearer nope').expect(401);
    await request(app).get('/no/such/page-123').expect(404);
    const { text, families } = await scrape(app);

    expect(
      valueOf(families, 'latchkey_validations_total', { outcome: 'valid', kind: 'generic' }),
    ).toBe(3);
    expect(
      valueOf(families, 'latchkey_validations_total', { outcome: 'malformed', kind: 'any' }),
    ).toBe(1);
    expect(valueOf(families, 'latchkey_validation_duration_seconds_count')).toBe(4);
    expect(valueOf(families, 'latchkey_cache_misses_total')).toBe(1);
    expect(valueOf(families, 'latchkey_cache_hits_total')).toBe(2);
    expect(
      valueOf(families, 'latchkey_http_requests_total', {
        route: '/api/whoami',
        status: '200',
        method: 'POST',
      }),
    ).toBe(3);
    expect(
      valueOf(families, 'latchkey_http_requests_total', { route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(valueOf(families, 'latchkey_usage_buffer_entries')).toBe(1);
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(text).not.toContain(apiKeyToken);
    expect(text).not.toContain('page-123');
  });

  it('counts invalid-key brake refusals, rate-limit refusals and sign-in failures', async () => {
    const app = createApp(lk, { ...BASE, METRICS_ENABLED: true });
    for (let i = 0; i < 6; i++)
      await request(app)
        .post('/api/whoami')
        .set('Authorization', `Bearer lk_${'a'.repeat(40)}`);
    const { apiKeyToken } = await lk.createApiKey({ rateLimit: { limit: 1, periodSeconds: 60 } });
    await lk.validateApiKey(apiKeyToken);
    await lk.validateApiKey(apiKeyToken);
    expect(await lk.verifyAdminSignIn('nobody@example.com', 'wrong-password')).toBeNull();
    const { families } = await scrape(app);
    expect(valueOf(families, 'latchkey_invalid_key_brake_refusals_total')).toBeGreaterThan(0);
    expect(valueOf(families, 'latchkey_sign_in_failures_total', { area: 'admin' })).toBe(1);
    const limited = valueOf(families, 'latchkey_rate_limit_refusals_total');
    expect(limited).toBe(1);
    expect(
      valueOf(families, 'latchkey_validations_total', { outcome: 'rate_limited', kind: 'any' }),
    ).toBe(limited);
  });

  it('asks for the Bearer token when METRICS_TOKEN is set', async () => {
    const token = 't'.repeat(24);
    const app = createApp(lk, { ...BASE, METRICS_ENABLED: true, METRICS_TOKEN: token });
    await request(app).get('/metrics').expect(401);
    await request(app)
      .get('/metrics')
      .set('Authorization', 'Bearer wrong-token-xxxxxxxx')
      .expect(401);
    await scrape(app, token);
  });

  it('is absent when metrics are off, and then nothing observes validations', async () => {
    const app = createApp(lk, BASE);
    await request(app).get('/metrics').expect(404);
    let heard = 0;
    const remove = lk.observe({ onValidation: () => heard++ });
    await lk.validateApiKey('garbage');
    remove();
    await lk.validateApiKey('garbage');
    expect(heard).toBe(1);
  });
});

describe('latchkey.metrics() in embedded mode', () => {
  it("registers into the host's registry without default process metrics", async () => {
    const registry = new Registry();
    const metrics = lk.metrics(registry);
    expect(lk.metrics(registry)).toBe(metrics);
    await lk.validateApiKey('not a key');
    const json = await registry.getMetricsAsJSON();
    const validations = json.find((m) => m.name === 'latchkey_validations_total');
    expect(validations?.type).toBe('counter');
    expect(
      validations?.values.find((v) => v.labels.outcome === 'malformed' && v.labels.kind === 'any')
        ?.value,
    ).toBe(1);
    expect(json.some((m) => m.name.startsWith('process_'))).toBe(false);
    parsePrometheusText(await registry.metrics());
  });
});

describe('label sets stay bounded', () => {
  it('under a fuzzed workload no label carries a path, token, id or email', async () => {
    const app = createApp(lk, { ...BASE, METRICS_ENABLED: true });
    const user = await lk.createUser({ email: 'someone@example.com' });
    const { apiKeyToken, apiKeyId } = await lk.createApiKey({ userId: user.id });
    const secrets = [apiKeyToken, apiKeyId, user.id, 'someone@example.com'];
    const segment = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/);
    const requestArb = fc.record({
      method: fc.constantFrom('get', 'post', 'put', 'delete', 'patch'),
      path: fc.oneof(
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
        fc.constantFrom('/api/whoami', '/admin/users', '/ADMIN/Keys', '/api/v1/keys', '/healthz'),
        segment.map((s) => `/api/v1/keys/${s}`),
      ),
      token: fc.oneof(
        fc.constant(apiKeyToken),
        fc.string({ maxLength: 60 }),
        fc.constant(undefined),
      ),
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ method, path, token }) => {
        const r = request(app)[method](path);
        if (token !== undefined) r.set('Authorization', `Bearer ${token.replace(/[\r\n]/g, '')}`);
        await r.catch(() => undefined);
      }),
      { numRuns: 150 },
    );
    const { families, text } = await scrape(app);
    const allowed: Record<string, RegExp> = {
      outcome: /^[a-z_]+$/,
      kind: /^(personal|org|generic|any)$/,
      method: /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|OTHER)$/,
      status: /^\d{3}$/,
      route: /^(unmatched|other|[a-z0-9/:_.-]*)$/,
      operation: /^[a-z_]+$/,
      area: /^(pages|admin)$/,
      le: /^[0-9.e+-]+|\+Inf$/,
    };
    const routes = new Set<string>();
    for (const f of families.values()) {
      if (!f.name.startsWith('latchkey_')) continue;
      for (const s of f.samples)
        for (const [k, v] of Object.entries(s.labels)) {
          expect(allowed[k]?.test(v)).toBe(true);
          if (k === 'route') routes.add(v);
        }
    }
    // Templates only: the fuzzed segments never show up.
    expect(routes.size).toBeLessThan(40);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
