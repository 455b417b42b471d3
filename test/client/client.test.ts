import type { Request, Response } from 'express';
import request from 'supertest';
import { createLatchkeyClient, LatchkeyClientError, type LatchkeyClient } from '../../src/client';
import { closedPort, productApp, runningLatchkey, silentServer } from './support';
import { failValidationReads } from '../support/world';

/** A client of the running test server, with the given cache lifetime (0: no cache). */
const clientOf = (server: { url: string; integrationKey: string }, cacheTtlMs: number) =>
  createLatchkeyClient({ url: server.url, integrationKey: server.integrationKey, cacheTtlMs });

describe('remote client: validation against a running Latchkey server', () => {
  let lk: Awaited<ReturnType<typeof runningLatchkey>>;
  let client: LatchkeyClient;
  let tokens: { personal: string; org: string; generic: string };

  beforeAll(async () => {
    lk = await runningLatchkey();
    const user = await lk.latchkey.createUser({ email: 'remote@example.com' });
    const org = await lk.latchkey.createOrg({ name: 'Remote Org', metadata: { tier: 'gold' } });
    await lk.latchkey.addUserToOrg(org.id, user.id, 'Admin');
    const personal = await lk.latchkey.createApiKey({ userId: user.id, metadata: { p: 1 } });
    const orgKey = await lk.latchkey.createApiKey({ orgId: org.id, userId: user.id });
    const generic = await lk.latchkey.createApiKey({ metadata: { g: true } });
    tokens = {
      personal: personal.apiKeyToken,
      org: orgKey.apiKeyToken,
      generic: generic.apiKeyToken,
    };
  });
  afterAll(() => lk.stop());
  beforeEach(() => {
    client = clientOf(lk, 0);
  });
  afterEach(() => client.close());

  it('returns exactly what the in-process validator returns, for every kind of key', async () => {
    for (const token of Object.values(tokens)) {
      const remote = await client.validateApiKey(token);
      expect(remote.valid).toBe(true);
      expect(remote).toEqual(await lk.latchkey.validateApiKey(token));
    }
    expect(await client.validatePersonalApiKey(`Bearer ${tokens.personal}`)).toEqual(
      await lk.latchkey.validatePersonalApiKey(tokens.personal),
    );
    expect(await client.validateOrgApiKey(tokens.org)).toEqual(
      await lk.latchkey.validateOrgApiKey(tokens.org),
    );
  });

  it('answers a key of the wrong kind with wrong_kind', async () => {
    expect(await client.validateOrgApiKey(tokens.personal)).toMatchObject({
      valid: false,
      reason: 'wrong_kind',
    });
    expect(await client.validatePersonalApiKey(tokens.generic)).toMatchObject({
      valid: false,
      reason: 'wrong_kind',
    });
  });

  it('rejects a malformed or mistyped token without asking the server', async () => {
    const before = lk.counts.requests;
    expect(await client.validateApiKey('hello')).toMatchObject({
      valid: false,
      reason: 'malformed',
    });
    const last = tokens.generic.slice(-1);
    const mistyped = `${tokens.generic.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    expect(await client.validateApiKey(mistyped)).toMatchObject({
      reason: 'malformed',
    });
    expect(await client.validateApiKey(undefined)).toMatchObject({ reason: 'malformed' });
    expect(lk.counts.requests).toBe(before);
  });

  it('carries the reason a key fails: revoked, expired, disabled owner', async () => {
    const revoked = await lk.latchkey.createApiKey({});
    await lk.latchkey.archiveApiKey(revoked.apiKeyId);
    expect(await client.validateApiKey(revoked.apiKeyToken)).toEqual(
      await lk.latchkey.validateApiKey(revoked.apiKeyToken),
    );
    expect(await client.validateApiKey(revoked.apiKeyToken)).toMatchObject({ reason: 'archived' });

    const soon = await lk.latchkey.createApiKey({ expiresAt: Math.floor(Date.now() / 1000) + 1 });
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
      ],
    });
    jest.setSystemTime(Date.now() + 5_000);
    try {
      expect(await client.validateApiKey(soon.apiKeyToken)).toMatchObject({ reason: 'expired' });
    } finally {
      jest.useRealTimers();
    }

    const owner = await lk.latchkey.createUser({ email: 'off@example.com' });
    const key = await lk.latchkey.createApiKey({ userId: owner.id });
    await lk.latchkey.disableUser(owner.id);
    expect(await client.validateApiKey(key.apiKeyToken)).toMatchObject({ reason: 'user_disabled' });
  });

  it('validates imported keys through validate_imported', async () => {
    await lk.latchkey.importApiKey({ token: 'imported-legacy-token-1', metadata: { old: 1 } });
    expect(await client.validateImportedApiKey('imported-legacy-token-1')).toMatchObject({
      valid: true,
      apiKey: { kind: 'generic', metadata: { old: 1 } },
    });
    expect(await client.validateApiKey('imported-legacy-token-1')).toMatchObject({
      reason: 'malformed',
    });
  });

  it('reuses one kept-alive connection for consecutive validations', async () => {
    const before = lk.counts.connections;
    for (let i = 0; i < 5; i++) await client.validateApiKey(tokens.generic);
    expect(lk.counts.connections - before).toBe(1);
  });

  it('serves repeated validations from its cache within the TTL, and not with the cache off', async () => {
    const cached = clientOf(lk, 60_000);
    let before = lk.counts.requests;
    for (let i = 0; i < 5; i++) await cached.validateApiKey(tokens.personal);
    expect(lk.counts.requests - before).toBe(1);
    cached.close();

    before = lk.counts.requests;
    for (let i = 0; i < 3; i++) await client.validateApiKey(tokens.personal);
    expect(lk.counts.requests - before).toBe(3);
  });

  it('sees a revocation once its cached answer expires', async () => {
    const short = clientOf(lk, 50);
    const key = await lk.latchkey.createApiKey({});
    expect((await short.validateApiKey(key.apiKeyToken)).valid).toBe(true);
    await lk.latchkey.archiveApiKey(key.apiKeyId);
    await new Promise((r) => setTimeout(r, 80));
    expect(await short.validateApiKey(key.apiKeyToken)).toMatchObject({ reason: 'archived' });
    short.close();
  });

  it('passes a request whose answer is cached in the same tick, with the kind still checked', async () => {
    const cached = clientOf(lk, 60_000);
    const warm = await cached.validateApiKey(tokens.personal);
    const header = `Bearer ${tokens.personal}`;
    const req = { headers: { authorization: header }, rawHeaders: ['Authorization', header] };
    let passed = false;
    cached.requireApiKey()(req as unknown as Request, {} as Response, () => {
      passed = true;
    });
    expect(passed).toBe(true);
    expect((req as unknown as Request).apiKey).toBe(warm.valid ? warm.apiKey : null);
    expect(await cached.validateOrgApiKey(tokens.personal)).toMatchObject({ reason: 'wrong_kind' });
    cached.close();
  });

  it('caches native and imported answers apart', async () => {
    const cached = clientOf(lk, 60_000);
    // A native token is not an imported key: that "not found" must not stick to the native path.
    expect(await cached.validateImportedApiKey(tokens.generic)).toMatchObject({ valid: false });
    expect(await cached.validateApiKey(tokens.generic)).toMatchObject({ valid: true });
    expect(await cached.validateImportedApiKey(tokens.generic)).toMatchObject({ valid: false });
    cached.close();
  });

  it('throws, without the token or the integration key in the message, when the integration key is refused', async () => {
    const wrong = createLatchkeyClient({ url: lk.url, integrationKey: 'lki_wrong', cacheTtlMs: 0 });
    const err = await wrong.validateApiKey(tokens.personal).catch((e: unknown) => e);
    wrong.close();
    expect(err).toBeInstanceOf(LatchkeyClientError);
    expect((err as LatchkeyClientError).kind).toBe('unauthorized');
    expect(String((err as Error).message)).not.toContain(tokens.personal);
    expect(String((err as Error).message)).not.toContain('lki_wrong');
  });
});

describe('remote client: requireApiKey() behaves like the in-process middleware', () => {
  let lk: Awaited<ReturnType<typeof runningLatchkey>>;
  let client: LatchkeyClient;
  beforeAll(async () => {
    lk = await runningLatchkey();
    client = clientOf(lk, 0);
  });
  afterAll(async () => {
    client.close();
    await lk.stop();
  });

  async function both(kind: 'personal' | 'org' | undefined, authorization?: string) {
    const answers = [];
    for (const guard of [lk.latchkey.requireApiKey({ kind }), client.requireApiKey({ kind })]) {
      let req = request(productApp(guard)).get('/me');
      if (authorization !== undefined) req = req.set('Authorization', authorization);
      const res = await req;
      answers.push({
        status: res.status,
        body: res.body as unknown,
        challenge: res.headers['www-authenticate'],
        retryAfter: res.headers['retry-after'],
      });
    }
    return answers;
  }

  it.each([
    ['no Authorization header', undefined, undefined, 401],
    ['a malformed key', undefined, 'Bearer nope', 401],
    ['a wrong kind', 'org', 'personal', 403],
    ['a valid personal key', 'personal', 'personal', 200],
    ['a valid key sent raw, without Bearer', undefined, 'raw', 200],
    ['a revoked key', undefined, 'revoked', 401],
  ] as const)('answers %s the same way', async (_label, kind, which, status) => {
    const user = await lk.latchkey.createUser({ email: `${Math.random()}@example.com` });
    const { apiKeyToken, apiKeyId } = await lk.latchkey.createApiKey({ userId: user.id });
    if (which === 'revoked') await lk.latchkey.archiveApiKey(apiKeyId);
    const header =
      which === undefined
        ? undefined
        : which === 'raw'
          ? apiKeyToken
          : which === 'personal' || which === 'revoked'
            ? `Bearer ${apiKeyToken}`
            : which;
    const [local, remote] = await both(kind, header);
    expect(remote).toEqual(local);
    expect(remote?.status).toBe(status);
  });

  it('answers a rate-limited key with 429 and Retry-After, like the in-process middleware', async () => {
    const { apiKeyToken } = await lk.latchkey.createApiKey({});
    const limited = {
      valid: false as const,
      reason: 'rate_limited' as const,
      message: 'Too many requests with this API key.',
      retryAfterSeconds: 9,
    };
    jest
      .spyOn(lk.latchkey.validator, 'validateInline')
      .mockReturnValueOnce(limited)
      .mockReturnValueOnce(limited);
    const [local, remote] = await both(undefined, `Bearer ${apiKeyToken}`);
    expect(remote).toEqual(local);
    expect(remote).toMatchObject({ status: 429, retryAfter: '9' });
  });

  it('lets imported keys through only with allowImported', async () => {
    await lk.latchkey.importApiKey({ token: 'legacy-key-for-middleware' });
    const plain = await request(productApp(client.requireApiKey()))
      .get('/me')
      .set('Authorization', 'Bearer legacy-key-for-middleware');
    expect(plain.status).toBe(401);
    const allowed = await request(productApp(client.requireApiKey({ allowImported: true })))
      .get('/me')
      .set('Authorization', 'Bearer legacy-key-for-middleware');
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ kind: 'generic' });
  });
});

describe('remote client: an unavailable Latchkey server', () => {
  const token = 'lk_placeholder';
  async function realToken() {
    const lk = await runningLatchkey();
    const { apiKeyToken } = await lk.latchkey.createApiKey({});
    await lk.stop();
    return apiKeyToken;
  }

  it('answers 503 with Retry-After quickly when nothing listens on the port', async () => {
    const client = createLatchkeyClient({
      url: `http://127.0.0.1:${await closedPort()}`,
      integrationKey: 'lki_x',
      timeoutMs: 1000,
    });
    const started = Date.now();
    const res = await request(productApp(client.requireApiKey()))
      .get('/me')
      .set('Authorization', `Bearer ${await realToken()}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(client.validateApiKey(await realToken())).rejects.toMatchObject({
      kind: 'network',
    });
    client.close();
  });

  it('answers 503 within the timeout when the server never answers', async () => {
    const silent = await silentServer();
    const client = createLatchkeyClient({
      url: silent.url,
      integrationKey: 'lki_x',
      timeoutMs: 300,
    });
    const valid = await realToken();
    const started = Date.now();
    const res = await request(productApp(client.requireApiKey()))
      .get('/me')
      .set('Authorization', `Bearer ${valid}`);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    // Generous upper bound: a loaded CI machine adds latency, but a hang would take forever.
    expect(elapsed).toBeLessThan(2500);
    await expect(client.validateApiKey(valid)).rejects.toMatchObject({ kind: 'timeout' });
    client.close();
    await silent.stop();
  });

  it('answers 503 (never a pass) when the server errors', async () => {
    const lk = await runningLatchkey();
    const { apiKeyToken } = await lk.latchkey.createApiKey({});
    failValidationReads(lk.latchkey.store, new Error('disk on fire'));
    const client = clientOf(lk, 0);
    const res = await request(productApp(client.requireApiKey()))
      .get('/me')
      .set('Authorization', `Bearer ${apiKeyToken}`);
    expect(res.status).toBe(503);
    client.close();
    await lk.stop();
  });

  it('never writes to the console, whatever fails', async () => {
    const spies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) =>
      jest.spyOn(console, m),
    );
    const client = createLatchkeyClient({
      url: `http://127.0.0.1:${await closedPort()}`,
      integrationKey: 'lki_x',
    });
    await request(productApp(client.requireApiKey()))
      .get('/me')
      .set('Authorization', `Bearer ${token}`);
    await client.validateApiKey(await realToken()).catch(() => undefined);
    client.close();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('refuses to start without a usable url or integration key', () => {
    expect(() => createLatchkeyClient({ url: 'ftp://x', integrationKey: 'lki_x' })).toThrow(/url/);
    expect(() => createLatchkeyClient({ url: 'http://127.0.0.1', integrationKey: ' ' })).toThrow(
      /integrationKey/,
    );
  });
});
