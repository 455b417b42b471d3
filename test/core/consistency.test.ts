import { generateToken } from '../../src/core/token';
import { createSqliteStore } from '../../src/store/sqlite';
import { makeLatchkey, type TestLatchkey } from '../support/harness';
import { aCountingStore, validationReads, withoutSyncReads } from '../support/world';

const reasonOf = (r: { valid: boolean; reason?: string }) => (r.valid ? 'valid' : r.reason);

describe('unknown keys are cached apart from known ones', () => {
  it('keeps a warm valid key cached through 100,000 distinct unknown keys', async () => {
    const counting = aCountingStore();
    const lk = await makeLatchkey({ store: counting.store, cacheTtlMs: 600_000 });
    const { apiKeyToken } = await lk.createApiKey({});
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    const prefix = lk.getSettings().tokenPrefix;
    let notFound = 0;
    for (let i = 0; i < 100_000; i++) {
      const unknown = lk.validateApiKeyInline(generateToken(prefix));
      if (!(unknown instanceof Promise) && reasonOf(unknown) === 'not_found') notFound++;
    }
    expect(notFound).toBe(100_000);
    counting.reset();
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(validationReads(counting)).toBe(0);
    await lk.close();
  }, 60_000);

  it('still answers a repeated unknown key from the cache, and forgets it once the key exists', async () => {
    const counting = aCountingStore();
    const lk = await makeLatchkey({ store: counting.store, cacheTtlMs: 600_000 });
    const token = generateToken(lk.getSettings().tokenPrefix);
    expect(reasonOf(await lk.validateApiKey(token))).toBe('not_found');
    counting.reset();
    expect(reasonOf(await lk.validateApiKey(token))).toBe('not_found');
    expect(validationReads(counting)).toBe(0);
    await lk.importApiKey({ token });
    expect(reasonOf(await lk.validateImportedApiKey(token))).toBe('valid');
    await lk.close();
  });
});

describe('strict consistency in one process', () => {
  let lk: TestLatchkey;
  let counting: ReturnType<typeof aCountingStore>;
  beforeEach(async () => {
    counting = aCountingStore(createSqliteStore(':memory:'));
    lk = await makeLatchkey({ store: counting.store, consistency: 'strict', cacheTtlMs: 600_000 });
  });
  afterEach(() => lk.close());

  it('reuses a lookup while nothing changed, reading only the revision', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    counting.reset();
    for (let i = 0; i < 5; i++) expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(validationReads(counting)).toBe(0);
    expect(counting.total(['validationRevisionSync'])).toBe(5);
  });

  it('keeps the cache through writes no validation observes (usage, audit, sessions)', async () => {
    const { apiKeyToken } = await lk.createApiKey({ displayName: 'a' });
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    await lk.flushUsage();
    await lk.pageSessions.setSession('sid', { data: '{}', expiresAt: 2 ** 31 });
    counting.reset();
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(validationReads(counting)).toBe(0);
  });

  it('sees a change written to the store behind its back (as another process would)', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    await counting.store.archiveKey(apiKeyId, Math.floor(Date.now() / 1000));
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('on a store without a revision, caches no lookup and still answers', async () => {
    const bare = aCountingStore(withoutRevision(createSqliteStore(':memory:')));
    const other = await makeLatchkey({ store: bare.store, consistency: 'strict' });
    const { apiKeyToken } = await other.createApiKey({});
    bare.reset();
    for (let i = 0; i < 3; i++) expect((await other.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(validationReads(bare)).toBe(3);
    expect(bare.total(['getSettings'])).toBe(3);
    await other.close();
  });
});

/** A store as MongoDB's adapter presents it: no synchronous read, no revision. */
function withoutRevision(store: ReturnType<typeof createSqliteStore>) {
  return new Proxy(withoutSyncReads(store), {
    get: (target, prop, receiver) =>
      prop === 'validationRevisionSync' ? undefined : Reflect.get(target, prop, receiver),
  });
}
