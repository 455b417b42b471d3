import type { Store } from '../../src/core/store';
import type { SqliteStore } from '../../src/store/sqlite';
import type { Validation } from '../../src/core/validation-result';
import { makeLatchkey } from '../support/harness';
import { createSqliteStore } from '../../src/store/sqlite';
import { aCountingStore, aWorld, validationReads, withoutSyncReads } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

const reasonOf = (r: Validation) => (r.valid ? 'valid' : r.reason);
function identityOf(r: Validation) {
  if (!r.valid) throw new Error(`expected a valid key, got ${r.reason}`);
  return r.apiKey;
}

/** Validates a few times so the lookup is certainly cached. */
async function warm(lk: Lk, token: string) {
  for (let i = 0; i < 3; i++) expect((await lk.validateApiKey(token)).valid).toBe(true);
}

/** Makes the next validation read wait, once it has read, until released: its answer goes stale meanwhile. */
function holdNextRead(store: Store) {
  const original = store.findKeyForValidation.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
  store.findKeyForValidation = async (digest: string) => {
    store.findKeyForValidation = original;
    const found = await original(digest);
    reached();
    await gate;
    return found;
  };
  return { reached: reachedPromise, release };
}

let lk: Lk;
let counting: ReturnType<typeof aCountingStore>;
beforeEach(async () => {
  counting = aCountingStore();
  lk = await makeLatchkey({ store: counting.store, cacheTtlMs: 60_000 });
});
afterEach(async () => {
  await lk.close();
});

describe('a warm cache', () => {
  it('serves repeated validations with one store lookup', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    counting.reset();
    await warm(lk, apiKeyToken);
    await warm(lk, apiKeyToken);
    expect(validationReads(counting)).toBe(1);
  });

  it('never accepts a revoked key again in the same process', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    await warm(lk, apiKeyToken);
    await lk.archiveApiKey(apiKeyId);
    for (let i = 0; i < 3; i++)
      expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('reads the store in the same tick on a miss when the store reads synchronously', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    counting.reset();
    const first = lk.validator.validateInline(apiKeyToken);
    expect(first).not.toBeInstanceOf(Promise);
    expect(counting.calls.findKeyForValidationSync).toBe(1);
    expect(lk.validator.validateInline(apiKeyToken)).toBe(first);
    expect(validationReads(counting)).toBe(1);
  });
});

describe('a warm cache, on a store that waits on I/O', () => {
  let lk: Lk;
  beforeEach(async () => {
    lk = await makeLatchkey({
      store: withoutSyncReads(createSqliteStore(':memory:')),
      cacheTtlMs: 60_000,
    });
  });
  afterEach(async () => {
    await lk.close();
  });

  it('does not keep a lookup that was in flight while the key was revoked', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ userId: user.id });
    // Hold the lookup after it has read the key; revoke meanwhile.
    const hold = holdNextRead(lk.store);
    const inFlight = lk.validateApiKey(apiKeyToken);
    await hold.reached;
    await lk.archiveApiKey(apiKeyId);
    hold.release();
    await inFlight;
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('does not keep a lookup that was in flight while the user was disabled', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    const hold = holdNextRead(lk.store);
    const inFlight = lk.validateApiKey(apiKeyToken);
    await hold.reached;
    await lk.disableUser(user.id);
    hold.release();
    await inFlight;
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('user_disabled');
  });
});

describe('changes made through this process invalidate at once', () => {
  it('a key update: new metadata shows on the next validation', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ metadata: { plan: 'free' } });
    await warm(lk, apiKeyToken);
    await lk.updateApiKey(apiKeyId, { metadata: { plan: 'pro' } });
    expect(identityOf(await lk.validateApiKey(apiKeyToken)).metadata).toEqual({ plan: 'pro' });
  });

  it('a key update: an expiry set just ahead takes effect when it passes', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    await warm(lk, apiKeyToken);
    const now = Date.now();
    await lk.updateApiKey(apiKeyId, { expiresAt: Math.floor(now / 1000) + 5 });
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 10_000);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('expired');
    spy.mockRestore();
  });

  it('user changes: disabling, locking and editing the user', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await warm(lk, apiKeyToken);
    await lk.updateUser(user.id, { canCreateOrgs: true });
    const identity = identityOf(await lk.validateApiKey(apiKeyToken));
    expect(identity.kind === 'personal' && identity.user.canCreateOrgs).toBe(true);
    await lk.lockUser(user.id);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('user_locked');
    await lk.unlockUser(user.id);
    await lk.disableUser(user.id);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('user_disabled');
  });

  it('org changes: a rename shows in org keys and in members’ personal keys', async () => {
    const { user, org } = await aWorld(lk);
    const orgKey = await lk.createApiKey({ orgId: org.id });
    const personal = await lk.createApiKey({ userId: user.id });
    await warm(lk, orgKey.apiKeyToken);
    await warm(lk, personal.apiKeyToken);
    await lk.updateOrg(org.id, { name: 'Renamed' });
    const o = identityOf(await lk.validateApiKey(orgKey.apiKeyToken));
    expect(o.kind === 'org' && o.org.orgName).toBe('Renamed');
    const p = identityOf(await lk.validateApiKey(personal.apiKeyToken));
    expect(p.kind === 'personal' && p.user.orgIdToOrgInfo[org.id]?.orgName).toBe('Renamed');
  });

  it('membership changes: a new role shows at once', async () => {
    const { user, org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ orgId: org.id, userId: user.id });
    await warm(lk, apiKeyToken);
    await lk.changeUserRoleInOrg(org.id, user.id, 'Member');
    const identity = identityOf(await lk.validateApiKey(apiKeyToken));
    expect(identity.kind === 'org' && identity.userInOrg).toMatchObject({
      userAssignedRole: 'Member',
      userPermissions: [],
    });
  });

  it('settings changes: who may manage org keys shows at once in permissions', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await warm(lk, apiKeyToken);
    await lk.updateSettings({ orgKeyManagerRoles: ['Owner'] });
    const identity = identityOf(await lk.validateApiKey(apiKeyToken));
    const perms =
      identity.kind === 'personal' &&
      Object.values(identity.user.orgIdToOrgInfo)[0]?.userPermissions;
    expect(perms).toEqual([]);
  });

  it('a token looked up before it was imported validates as soon as it is imported', async () => {
    const legacy = 'legacy-token-from-elsewhere-0001';
    expect(reasonOf(await lk.validateImportedApiKey(legacy))).toBe('not_found');
    await lk.importApiKey({ token: legacy });
    expect(reasonOf(await lk.validateImportedApiKey(legacy))).toBe('valid');
  });
});

describe('changes made elsewhere', () => {
  it('are seen once the cache entry is older than its TTL', async () => {
    const short = await makeLatchkey({ cacheTtlMs: 50 });
    try {
      const { apiKeyId, apiKeyToken } = await short.createApiKey({});
      await warm(short, apiKeyToken);
      // Another process archives the key: this process is not told.
      (short.store as SqliteStore).db
        .prepare('UPDATE api_keys SET archived_at = 1 WHERE id = ?')
        .run(apiKeyId);
      expect(reasonOf(await short.validateApiKey(apiKeyToken))).toBe('valid');
      await new Promise((r) => setTimeout(r, 80));
      expect(reasonOf(await short.validateApiKey(apiKeyToken))).toBe('archived');
    } finally {
      await short.close();
    }
  });
});

describe('with the cache off', () => {
  it('every validation reads the store', async () => {
    const off = aCountingStore();
    const uncached = await makeLatchkey({ store: off.store, cacheTtlMs: 0 });
    try {
      const { apiKeyToken } = await uncached.createApiKey({});
      off.reset();
      for (let i = 0; i < 5; i++) await uncached.validateApiKey(apiKeyToken);
      expect(validationReads(off)).toBe(5);
      // SQLite reads synchronously, so even with the cache off a verdict needs no promise.
      expect(uncached.validator.validateInline(apiKeyToken)).not.toBeInstanceOf(Promise);
      expect(validationReads(off)).toBe(6);
    } finally {
      await uncached.close();
    }
  });

  it('results are frozen all the same, and each lookup answers afresh', async () => {
    const uncached = await makeLatchkey({ cacheTtlMs: 0 });
    try {
      const { apiKeyToken } = await uncached.createApiKey({ metadata: { plan: 'free' } });
      const first = identityOf(await uncached.validateApiKey(apiKeyToken));
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first.metadata)).toBe(true);
      expect(identityOf(await uncached.validateApiKey(apiKeyToken))).not.toBe(first);
    } finally {
      await uncached.close();
    }
  });

  it("every change made behind the process's back shows on the very next validation", async () => {
    const uncached = await makeLatchkey({ cacheTtlMs: 0 });
    try {
      const { user, org } = await aWorld(uncached);
      const { apiKeyToken } = await uncached.createApiKey({ userId: user.id });
      const db = (uncached.store as SqliteStore).db;
      // Another process writes: this process is not told.
      const elsewhere = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
      const personal = async () => {
        const identity = identityOf(await uncached.validateApiKey(apiKeyToken));
        if (identity.kind !== 'personal')
          throw new Error(`expected personal, got ${identity.kind}`);
        return identity;
      };
      expect((await personal()).metadata).toEqual({});

      elsewhere(`UPDATE api_keys SET metadata = '{"plan":"pro"}' WHERE user_id = ?`, user.id);
      expect((await personal()).metadata).toEqual({ plan: 'pro' });
      elsewhere('UPDATE users SET email = ? WHERE id = ?', 'renamed@example.com', user.id);
      expect((await personal()).user.email).toBe('renamed@example.com');
      elsewhere('UPDATE orgs SET name = ? WHERE id = ?', 'Renamed Inc', org.id);
      expect((await personal()).user.orgIdToOrgInfo[org.id]?.orgName).toBe('Renamed Inc');
      elsewhere('UPDATE memberships SET role = ? WHERE user_id = ?', 'Member', user.id);
      const asMember = await personal();
      expect(asMember.user.orgIdToOrgInfo[org.id]?.userAssignedRole).toBe('Member');
      expect(asMember.user.orgIdToOrgInfo[org.id]?.userPermissions).toEqual([]);

      // A settings change alters the verdict though the rows read are the same.
      await uncached.updateSettings({ orgKeyManagerRoles: ['Owner', 'Admin', 'Member'] });
      expect((await personal()).user.orgIdToOrgInfo[org.id]?.userPermissions).toEqual([
        'can_manage_api_keys',
      ]);

      elsewhere('UPDATE users SET enabled = 0 WHERE id = ?', user.id);
      expect(reasonOf(await uncached.validateApiKey(apiKeyToken))).toBe('user_disabled');
      elsewhere('UPDATE users SET enabled = 1 WHERE id = ?', user.id);
      expect(reasonOf(await uncached.validateApiKey(apiKeyToken))).toBe('valid');
      elsewhere('UPDATE api_keys SET archived_at = 1 WHERE user_id = ?', user.id);
      expect(reasonOf(await uncached.validateApiKey(apiKeyToken))).toBe('archived');
      elsewhere('DELETE FROM api_keys WHERE user_id = ?', user.id);
      expect(reasonOf(await uncached.validateApiKey(apiKeyToken))).toBe('not_found');
    } finally {
      await uncached.close();
    }
  });
});

describe('cached results', () => {
  it('are one frozen verdict per cached key: a repeat validation allocates no new result', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    const first = await lk.validateApiKey(apiKeyToken);
    const second = await lk.validateApiKey(apiKeyToken);
    expect(first.valid).toBe(true);
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('are frozen, so a caller cannot change what later callers receive', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id, metadata: { plan: 'free' } });
    const first = identityOf(await lk.validateApiKey(apiKeyToken));
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first.metadata as Record<string, unknown>).plan = 'enterprise';
    }).toThrow(TypeError);
    if (first.kind !== 'personal') throw new Error('expected a personal key');
    expect(() => {
      (first.user as { email: string }).email = 'attacker@example.com';
    }).toThrow(TypeError);
    expect(() => {
      Object.values(first.user.orgIdToOrgInfo)[0]?.userPermissions.push('admin');
    }).toThrow(TypeError);
    const again = identityOf(await lk.validateApiKey(apiKeyToken));
    expect(again.metadata).toEqual({ plan: 'free' });
  });
});

describe('every verdict', () => {
  /** Every object reachable from a value, itself included. */
  function objectsIn(value: unknown, found: object[] = []): object[] {
    if (typeof value !== 'object' || value === null) return found;
    found.push(value);
    for (const child of Object.values(value)) objectsIn(child, found);
    return found;
  }

  it.each([
    ['on', 10_000],
    ['off', 0],
  ])('is frozen all through, for every kind of key, with the cache %s', async (_, cacheTtlMs) => {
    const local = await makeLatchkey({ cacheTtlMs });
    try {
      const { user, org } = await aWorld(local);
      await local.updateOrg(org.id, { metadata: { tier: { name: 'gold', seats: [5] } } });
      const metadata = { nested: { list: [{ deep: true }] } };
      const tokens = [
        (await local.createApiKey({ userId: user.id, metadata })).apiKeyToken,
        (await local.createApiKey({ orgId: org.id, userId: user.id, metadata })).apiKeyToken,
        (await local.createApiKey({ metadata })).apiKeyToken,
      ];
      // Each verdict holds itself, its identity and the key's metadata (4 objects). A
      // personal key adds the user, orgIdToOrgInfo, the OrgInfo and its permissions; an
      // org key the same, its org with the org's metadata (3) and userInOrg with its
      // permissions.
      const expected = [10, 16, 6];
      for (const [i, token] of tokens.entries()) {
        const objects = objectsIn(await local.validateApiKey(token));
        expect(objects).toHaveLength(expected[i]!);
        for (const object of objects) expect(Object.isFrozen(object)).toBe(true);
      }
    } finally {
      await local.close();
    }
  });
});

describe('knownValid: the verdict on a key this process already knows to pass', () => {
  let known: Lk;
  beforeEach(async () => {
    known = await makeLatchkey();
  });
  afterEach(() => known.close());

  it('answers a cached passing key, and null for one not yet looked up, failing or malformed', async () => {
    const validator = known.validator;
    const { user } = await aWorld(known);
    const { apiKeyToken } = await known.createApiKey({ userId: user.id });
    expect(validator.knownValid(apiKeyToken)).toBeNull();
    expect((await known.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(validator.knownValid(`Bearer ${apiKeyToken}`)).toMatchObject({ valid: true });
    expect(validator.knownValid(apiKeyToken, 'org')).toMatchObject({ reason: 'wrong_kind' });
    expect(validator.knownValid('not a token')).toBeNull();
    await known.disableUser(user.id);
    await known.validateApiKey(apiKeyToken);
    expect(validator.knownValid(apiKeyToken)).toBeNull();
  });

  it('answers an imported key only when imported keys are allowed', async () => {
    const legacy = 'legacy-token-known-0001';
    await known.importApiKey({ token: legacy });
    expect((await known.validateImportedApiKey(legacy)).valid).toBe(true);
    expect(known.validator.knownValid(legacy)).toBeNull();
    expect(known.validator.knownValid(legacy, undefined, true)).toMatchObject({
      valid: true,
    });
  });
});
