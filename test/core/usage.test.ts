import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateToken } from '../../src/core/token';
import { makeLatchkey } from '../support/harness';
import { aCountingStore, aWorld, WRITE_METHODS } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

const today = () => new Date().toISOString().slice(0, 10);

let lk: Lk;
let counting: ReturnType<typeof aCountingStore>;
beforeEach(async () => {
  counting = aCountingStore();
  lk = await makeLatchkey({ store: counting.store });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await lk.close();
});

describe('usage counting', () => {
  it('counts validations per key, and per user and org', async () => {
    const { user, org } = await aWorld(lk);
    const a = await lk.createApiKey({ userId: user.id });
    const b = await lk.createApiKey({ orgId: org.id });
    for (let i = 0; i < 3; i++) await lk.validateApiKey(a.apiKeyToken);
    for (let i = 0; i < 2; i++) await lk.validateApiKey(b.apiKeyToken);
    expect(await lk.fetchApiKeyUsage({ apiKeyId: a.apiKeyId })).toBe(3);
    expect(await lk.fetchApiKeyUsage({ apiKeyId: b.apiKeyId })).toBe(2);
    expect(await lk.fetchApiKeyUsage({ userId: user.id })).toBe(3);
    expect(await lk.fetchApiKeyUsage({ orgId: org.id })).toBe(2);
    expect(await lk.fetchApiKeyUsage()).toBe(5);
    expect(await lk.fetchApiKeyUsage({ date: today() })).toBe(5);
  });

  it('counts each UTC day apart', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    const day1 = Date.parse('2031-03-04T23:59:58Z');
    const now = jest.spyOn(Date, 'now').mockReturnValue(day1);
    await lk.validateApiKey(apiKeyToken);
    await lk.validateApiKey(apiKeyToken);
    now.mockReturnValue(day1 + 3_000);
    await lk.validateApiKey(apiKeyToken);
    expect(await lk.fetchApiKeyUsage({ apiKeyId, date: '2031-03-04' })).toBe(2);
    expect(await lk.fetchApiKeyUsage({ apiKeyId, date: '2031-03-05' })).toBe(1);
    expect(await lk.fetchApiKeyUsage({ apiKeyId, date: '2031-03-06' })).toBe(0);
  });

  it('counts only validations that succeed', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await lk.validateOrgApiKey(apiKeyToken);
    await lk.disableUser(user.id);
    await lk.validateApiKey(apiKeyToken);
    await lk.validateApiKey(generateToken('lk'));
    expect(await lk.fetchApiKeyUsage({ apiKeyId })).toBe(0);
  });

  it('moves the key’s last-used time forward once written', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    expect((await lk.fetchApiKey(apiKeyId)).lastUsedAt).toBeNull();
    await lk.validateApiKey(apiKeyToken);
    await lk.flushUsage();
    const lastUsedAt = (await lk.fetchApiKey(apiKeyId)).lastUsedAt;
    expect(lastUsedAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 2);
  });
});

describe('batched writes', () => {
  it('validating makes no store write at all, however many times', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    counting.reset();
    for (let i = 0; i < 200; i++) expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(counting.total(WRITE_METHODS)).toBe(0);
    // ...and one flush writes all 200 in one batch.
    await lk.flushUsage();
    expect(counting.calls.recordUsage).toBe(1);
    expect(await lk.fetchApiKeyUsage()).toBe(200);
  });

  it('with the cache off, validating still makes no store write', async () => {
    const off = aCountingStore();
    const uncached = await makeLatchkey({ store: off.store, cacheTtlMs: 0 });
    try {
      const { apiKeyToken } = await uncached.createApiKey({});
      off.reset();
      for (let i = 0; i < 20; i++) await uncached.validateApiKey(apiKeyToken);
      expect(off.total(WRITE_METHODS)).toBe(0);
    } finally {
      await uncached.close();
    }
  });

  it('writes on its interval without being asked', async () => {
    const timed = aCountingStore();
    const ticking = await makeLatchkey({ store: timed.store, usageFlushIntervalMs: 30 });
    try {
      const { apiKeyId, apiKeyToken } = await ticking.createApiKey({});
      await ticking.validateApiKey(apiKeyToken);
      const deadline = Date.now() + 2_000;
      while (!timed.calls.recordUsage && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(timed.calls.recordUsage).toBeGreaterThanOrEqual(1);
      expect(await ticking.store.countUsage(today(), { keyId: apiKeyId })).toBe(1);
    } finally {
      await ticking.close();
    }
  });

  it('keeps the counts of a failed write and writes them with the next batch', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    await lk.validateApiKey(apiKeyToken);
    const real = lk.store.recordUsage.bind(lk.store);
    (lk.store as unknown as Record<string, unknown>).recordUsage = async () => {
      (lk.store as unknown as Record<string, unknown>).recordUsage = real;
      throw new Error('disk full');
    };
    await lk.flushUsage();
    expect(lk.logs.text).toContain('writing key usage failed');
    await lk.validateApiKey(apiKeyToken);
    expect(await lk.fetchApiKeyUsage({ apiKeyId })).toBe(2);
  });
});

describe('closing', () => {
  it('writes what is still buffered before the store closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-usage-'));
    const databasePath = path.join(dir, 'db.sqlite');
    try {
      const first = await makeLatchkey({ databasePath, usageFlushIntervalMs: 60_000 });
      const { apiKeyId, apiKeyToken } = await first.createApiKey({});
      for (let i = 0; i < 4; i++) await first.validateApiKey(apiKeyToken);
      await first.close();
      await first.close(); // closing twice is harmless
      const second = await makeLatchkey({ databasePath });
      expect(await second.fetchApiKeyUsage({ apiKeyId })).toBe(4);
      expect((await second.fetchApiKey(apiKeyId)).lastUsedAt).not.toBeNull();
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fetchApiKeyUsage arguments', () => {
  it.each([
    [{ date: '2024-13-45' }, 'date'],
    [{ date: '2024-02-31' }, 'date'],
    [{ date: 'yesterday' }, 'date'],
    [{ apiKeyId: 'not-a-key-id' }, 'apiKeyId'],
    [{ userId: 'nobody' }, 'userId'],
    [{ orgId: '123' }, 'orgId'],
    [{ date: Symbol('today') }, 'date'],
    [{ date: 20310304 }, 'date'],
  ])('refuses %p naming the field', async (query, field) => {
    await expect(lk.fetchApiKeyUsage(query as never)).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { [field]: [expect.any(String)] },
    });
  });
});
