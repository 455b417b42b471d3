import express from 'express';
import request from 'supertest';
import { makeLatchkey } from '../support/harness';
import { createSqliteStore } from '../../src/store/sqlite';
import { failValidationReads, spyOnValidationReads, withoutSyncReads } from '../support/world';

type Harness = Awaited<ReturnType<typeof makeLatchkey>>;

async function withCaller(latchkey: Harness) {
  const user = await latchkey.createUser({ email: `caller-${Date.now()}@example.com` });
  const org = await latchkey.createOrg({ name: 'Caller Org' });
  await latchkey.addUserToOrg(org.id, user.id, 'Member');
  const created = await latchkey.createApiKey({ userId: user.id });
  return { user, org, created };
}

function appOf(latchkey: Harness, opts: { allowImported?: boolean } = {}) {
  const app = express();
  app.get('/p', latchkey.requireApiKey(opts), (req, res) => {
    res.json(req.apiKey);
  });
  return app;
}

describe('requireApiKey validation paths', () => {
  let latchkey: Harness;
  afterEach(async () => latchkey.close());

  it('stops accepting a cached key as soon as it is archived', async () => {
    latchkey = await makeLatchkey();
    const { created } = await withCaller(latchkey);
    const app = appOf(latchkey);
    const auth = `Bearer ${created.apiKeyToken}`;
    await request(app).get('/p').set('Authorization', auth).expect(200);
    await request(app).get('/p').set('Authorization', auth).expect(200);
    await latchkey.archiveApiKey(created.apiKeyId);
    await request(app).get('/p').set('Authorization', auth).expect(401);
  });

  it('with the cache off, sees a change written straight to the store on the next request', async () => {
    latchkey = await makeLatchkey({ cacheTtlMs: 0 });
    const { created, org } = await withCaller(latchkey);
    const app = appOf(latchkey);
    const auth = `Bearer ${created.apiKeyToken}`;
    const first = await request(app).get('/p').set('Authorization', auth).expect(200);
    expect(Object.keys(first.body.user.orgIdToOrgInfo)).toEqual([org.id]);
    await latchkey.store.archiveKey(created.apiKeyId, Math.floor(Date.now() / 1000));
    await request(app).get('/p').set('Authorization', auth).expect(401);
  });

  it('accepts an imported key only where imported keys are allowed', async () => {
    latchkey = await makeLatchkey();
    const { user } = await withCaller(latchkey);
    await latchkey.importApiKey({ token: 'legacy-token-0123456789', userId: user.id });
    const auth = 'Bearer legacy-token-0123456789';
    await request(appOf(latchkey)).get('/p').set('Authorization', auth).expect(401);
    const res = await request(appOf(latchkey, { allowImported: true }))
      .get('/p')
      .set('Authorization', auth)
      .expect(200);
    expect(res.body.user.userId).toBe(user.id);
  });

  it('decides a key without waiting on a promise when SQLite reads it', async () => {
    latchkey = await makeLatchkey();
    const { created } = await withCaller(latchkey);
    const validator = latchkey.validator;
    const first = validator.validateInline(created.apiKeyToken);
    expect(first).not.toBeInstanceOf(Promise);
    expect(first).toMatchObject({ valid: true });
    expect(validator.validateInline(`Bearer ${created.apiKeyToken}`)).toBe(first);
  });

  it('waits on a promise for an uncached key only when the store waits on I/O', async () => {
    latchkey = await makeLatchkey({ store: withoutSyncReads(createSqliteStore(':memory:')) });
    const { created } = await withCaller(latchkey);
    const validator = latchkey.validator;
    const first = validator.validateInline(created.apiKeyToken);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ valid: true });
    const again = validator.validateInline(`Bearer ${created.apiKeyToken}`);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toEqual(await latchkey.validateApiKey(created.apiKeyToken));
    expect(validator.validateInline('lk_nonsense')).toMatchObject({ reason: 'malformed' });
  });

  it('answers 503, never 500 or a pass, when validation throws or the store fails', async () => {
    latchkey = await makeLatchkey({ cacheTtlMs: 0 });
    const { created } = await withCaller(latchkey);
    const app = appOf(latchkey);
    const auth = `Bearer ${created.apiKeyToken}`;
    failValidationReads(latchkey.store, new Error('store down'));
    await request(app).get('/p').set('Authorization', auth).expect(503);
    jest.restoreAllMocks();
    jest.spyOn(latchkey.validator, 'validateInline').mockImplementation(() => {
      throw new Error('unexpected');
    });
    await request(app).get('/p').set('Authorization', auth).expect(503);
  });

  it('rejects a token with a wrong checksum without reading the store', async () => {
    latchkey = await makeLatchkey();
    const { created } = await withCaller(latchkey);
    const token = created.apiKeyToken;
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const reads = spyOnValidationReads(latchkey.store);
    await request(appOf(latchkey)).get('/p').set('Authorization', `Bearer ${wrong}`).expect(401);
    expect(reads.count()).toBe(0);
    // The spy sees reads: the right token costs one.
    await request(appOf(latchkey)).get('/p').set('Authorization', `Bearer ${token}`).expect(200);
    expect(reads.count()).toBe(1);
  });
});

describe('SQLite reads on the validation path', () => {
  let latchkey: Harness;
  afterEach(async () => latchkey.close());

  it('finds orgs for id lists of any length, including after a shorter or longer one', async () => {
    latchkey = await makeLatchkey();
    const orgs = [];
    for (let i = 0; i < 3; i++) orgs.push(await latchkey.createOrg({ name: `Org ${i}` }));
    const ids = orgs.map((o) => o.id);
    const idsOf = async (list: string[]) =>
      (await latchkey.store.findOrgsByIds(list)).map((o) => o.id).sort();
    expect(await idsOf(ids.slice(0, 1))).toEqual(ids.slice(0, 1).sort());
    expect(await idsOf(ids)).toEqual([...ids].sort());
    expect(await idsOf(ids.slice(1, 2))).toEqual(ids.slice(1, 2));
    const many = [...ids, ...Array.from({ length: 80 }, (_, i) => `missing-${i}`)];
    expect(await idsOf(many)).toEqual([...ids].sort());
  });
});

describe('requireApiKey and the caller address', () => {
  it("works out the caller's address only where something uses it", async () => {
    // Express's req.ip parses X-Forwarded-For under trust proxy: work on every request.
    const ipReadsFor = async (failuresPerMinute: number, token: string) => {
      const latchkey = await makeLatchkey({ invalidKeyLimitPerMinute: failuresPerMinute });
      const { created } = await withCaller(latchkey);
      let reads = 0;
      const app = express();
      app.use((req, _res, next) => {
        Object.defineProperty(req, 'ip', { get: () => (reads++, '127.0.0.1') });
        next();
      });
      app.get('/p', latchkey.requireApiKey(), (_req, res) => void res.end());
      const auth = `Bearer ${token || created.apiKeyToken}`;
      await request(app).get('/p').set('Authorization', auth);
      await latchkey.close();
      return reads;
    };
    const badChecksum = 'lk_' + 'a'.repeat(60);
    // A valid key with no allowlist, or an invalid one while the guard is off: never read.
    expect(await ipReadsFor(0, '')).toBe(0);
    expect(await ipReadsFor(0, badChecksum)).toBe(0);
    expect(await ipReadsFor(60, '')).toBe(0);
    // The guard counts failures by address: then it is read.
    expect(await ipReadsFor(60, badChecksum)).toBeGreaterThan(0);
  });
});
