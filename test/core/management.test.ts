import { randomUUID } from 'node:crypto';
import { digestToken } from '../../src/core/token';
import { MAX_METADATA_BYTES } from '../../src/core/inputs';
import { LATEST_EXPIRY_SECONDS } from '../../src/core/time';
import { makeLatchkey } from '../support/harness';
import { aCountingStore, aWorld, dumpDatabase, WRITE_METHODS } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

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

describe('createApiKey', () => {
  it('returns the token once, an id of 32 hex characters and the key without its digest', async () => {
    const { user } = await aWorld(lk);
    const created = await lk.createApiKey({
      userId: user.id,
      displayName: 'CI',
      metadata: { a: 1 },
    });
    expect(created.apiKeyId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.apiKeyToken).toMatch(/^lk_[0-9A-Za-z]{49}$/);
    expect(created.key).toMatchObject({
      id: created.apiKeyId,
      kind: 'personal',
      userId: user.id,
      orgId: null,
      displayName: 'CI',
      hint: `lk_…${created.apiKeyToken.slice(-4)}`,
      metadata: { a: 1 },
      expiresAt: null,
      lastUsedAt: null,
      archivedAt: null,
      imported: false,
      createdBy: 'library',
    });
    expect(created.key).not.toHaveProperty('digest');
    expect(await lk.fetchApiKey(created.apiKeyId)).toEqual(created.key);
  });

  it('stores only the SHA-256 digest: the token appears nowhere in the database', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    const dump = dumpDatabase(lk.store);
    expect(dump).toContain(digestToken(apiKeyToken));
    expect(dump).not.toContain(apiKeyToken);
    expect(dump).not.toContain(apiKeyToken.slice(3, 46));
  });

  it('works out the kind from the owner: user → personal, org → org, neither → generic', async () => {
    const { user, org } = await aWorld(lk);
    expect((await lk.createApiKey({ userId: user.id })).key.kind).toBe('personal');
    expect((await lk.createApiKey({ orgId: org.id })).key).toMatchObject({
      kind: 'org',
      userId: null,
    });
    expect((await lk.createApiKey({ orgId: org.id, userId: user.id })).key).toMatchObject({
      kind: 'org',
      userId: user.id,
      orgId: org.id,
    });
    expect((await lk.createApiKey({})).key.kind).toBe('generic');
  });

  it('records who made it, and an audit event without the token', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey(
      {},
      { actor: 'admin:7', ip: '127.0.0.1' },
    );
    expect((await lk.fetchApiKey(apiKeyId)).createdBy).toBe('admin:7');
    const events = await lk.store.listAudit({ targetId: apiKeyId }, { limit: 10, offset: 0 });
    expect(events.items).toEqual([
      expect.objectContaining({ action: 'key.created', actor: 'admin:7', ip: '127.0.0.1' }),
    ]);
    expect(JSON.stringify(events)).not.toContain(apiKeyToken);
  });

  it('uses the token prefix from the settings', async () => {
    await lk.updateSettings({ tokenPrefix: 'acme' });
    const { apiKeyToken } = await lk.createApiKey({});
    expect(apiKeyToken.startsWith('acme_')).toBe(true);
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
  });

  it('refuses a kind the admin turned off, storing nothing', async () => {
    const { user, org } = await aWorld(lk);
    await lk.updateSettings({ personalKeysEnabled: false, orgKeysEnabled: false });
    counting.reset();
    await expect(lk.createApiKey({ userId: user.id })).rejects.toMatchObject({
      code: 'kind_disabled',
    });
    await expect(lk.createApiKey({ orgId: org.id })).rejects.toMatchObject({
      code: 'kind_disabled',
    });
    expect(counting.total(WRITE_METHODS)).toBe(0);
    // Generic keys have no switch.
    await expect(lk.createApiKey({})).resolves.toBeDefined();
  });
});

describe('bad arguments fail with a typed error naming the field, and store nothing', () => {
  const deep = (depth: number): Record<string, unknown> =>
    depth === 0 ? { $where: 'x' } : { nested: deep(depth - 1) };
  const cases: [string, () => Promise<Record<string, unknown>>, string][] = [
    ['an unknown user', async () => ({ userId: randomUUID() }), 'userId'],
    ['an unknown org', async () => ({ orgId: randomUUID() }), 'orgId'],
    ['a user id that is not a UUID', async () => ({ userId: 'alice' }), 'userId'],
    ['an org id that is not a UUID', async () => ({ orgId: 42 }), 'orgId'],
    [
      'an org key for a user who is not a member',
      async () => {
        const { org } = await aWorld(lk);
        const outsider = await lk.createUser({ email: `out-${randomUUID()}@example.com` });
        return { orgId: org.id, userId: outsider.id };
      },
      'userId',
    ],
    ['metadata that is an array', async () => ({ metadata: [1, 2] }), 'metadata'],
    ['metadata that is a string', async () => ({ metadata: '{"a":1}' }), 'metadata'],
    ['metadata that is null', async () => ({ metadata: null }), 'metadata'],
    [
      'metadata over 16 KiB',
      async () => ({ metadata: { blob: 'x'.repeat(MAX_METADATA_BYTES) } }),
      'metadata',
    ],
    ['metadata with a $-key', async () => ({ metadata: { $set: { admin: true } } }), 'metadata'],
    ['metadata with a deep $-key', async () => ({ metadata: deep(5) }), 'metadata'],
    ['metadata with a dotted key', async () => ({ metadata: { 'a.b': 1 } }), 'metadata'],
    ['metadata that cannot be JSON', async () => ({ metadata: { n: 10n } }), 'metadata'],
    [
      'metadata that turns into something else as JSON',
      async () => ({ metadata: { toJSON: () => 'not an object' } }),
      'metadata',
    ],
    [
      'an expiry in the past',
      async () => ({ expiresAt: Math.floor(Date.now() / 1000) - 1 }),
      'expiresAt',
    ],
    [
      'an expiry of right now',
      async () => ({ expiresAt: Math.floor(Date.now() / 1000) }),
      'expiresAt',
    ],
    ['a negative expiry', async () => ({ expiresAt: -5 }), 'expiresAt'],
    ['an expiry in milliseconds', async () => ({ expiresAt: Date.now() + 60_000 }), 'expiresAt'],
    ['an expiry past the year 9999', async () => ({ expiresAt: 1e13 }), 'expiresAt'],
    ['a fractional expiry', async () => ({ expiresAt: 4102444800.5 }), 'expiresAt'],
    ['an expiry as a string', async () => ({ expiresAt: '2099-01-01' }), 'expiresAt'],
    [
      'a display name over 100 characters',
      async () => ({ displayName: 'x'.repeat(101) }),
      'displayName',
    ],
    ['a blank display name', async () => ({ displayName: '   ' }), 'displayName'],
    ['an unknown field', async () => ({ kind: 'personal' }), 'kind'],
  ];

  it.each(cases)('%s', async (_name, makeInput, field) => {
    const input = await makeInput();
    const keysBefore = await lk.store.countKeys({ now: 0 });
    counting.reset();
    const error = await lk.createApiKey(input as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: 'LatchkeyError',
      code: 'invalid_input',
      status: 400,
      fields: { [field]: [expect.any(String)] },
    });
    expect((error as Error).message).toContain(field);
    expect(counting.total(WRITE_METHODS)).toBe(0);
    expect(await lk.store.countKeys({ now: 0 })).toBe(keysBefore);
  });

  it('says an expiry past the year 9999 is over the limit and may be milliseconds', async () => {
    await expect(lk.createApiKey({ expiresAt: 1e13 })).rejects.toMatchObject({
      message: expect.stringMatching(
        /^expiresAt: must be at most 253402300799 \(the end of the year 9999\); .*not milliseconds/,
      ),
    });
  });

  it('accepts an expiry of the last second of the year 9999', async () => {
    const { key } = await lk.createApiKey({ expiresAt: LATEST_EXPIRY_SECONDS });
    expect(key.expiresAt).toBe(253_402_300_799);
  });

  it('accepts metadata of exactly 16 KiB and a display name of exactly 100 characters', async () => {
    const blob = 'x'.repeat(MAX_METADATA_BYTES - '{"blob":""}'.length);
    const { key } = await lk.createApiKey({ metadata: { blob }, displayName: 'n'.repeat(100) });
    expect(key.metadata).toEqual({ blob });
  });

  it('keeps a copy of the metadata, not the caller’s object', async () => {
    const metadata: Record<string, unknown> = { plan: 'free' };
    const { apiKeyId } = await lk.createApiKey({ metadata });
    metadata.plan = 'enterprise';
    expect((await lk.fetchApiKey(apiKeyId)).metadata).toEqual({ plan: 'free' });
  });
});

describe('limits', () => {
  it('refuses a user’s key over the maximum, counting only current keys', async () => {
    const { user } = await aWorld(lk);
    await lk.updateSettings({ maxKeysPerUser: 2 });
    const first = await lk.createApiKey({ userId: user.id });
    await lk.createApiKey({ userId: user.id });
    await expect(lk.createApiKey({ userId: user.id })).rejects.toMatchObject({
      code: 'limit_reached',
      status: 409,
    });
    expect((await lk.listApiKeys({ userId: user.id })).total).toBe(2);
    await lk.archiveApiKey(first.apiKeyId);
    await expect(lk.createApiKey({ userId: user.id })).resolves.toBeDefined();
  });

  it('refuses an org’s key over the maximum, whoever creates it', async () => {
    const { user, org } = await aWorld(lk);
    await lk.updateSettings({ maxKeysPerOrg: 1 });
    await lk.createApiKey({ orgId: org.id, userId: user.id });
    await expect(lk.createApiKey({ orgId: org.id })).rejects.toMatchObject({
      code: 'limit_reached',
    });
    // The org limit is not the user limit, and generic keys have none.
    await expect(lk.createApiKey({ userId: user.id })).resolves.toBeDefined();
    await expect(lk.createApiKey({})).resolves.toBeDefined();
  });

  it('does not count expired keys', async () => {
    const { user } = await aWorld(lk);
    await lk.updateSettings({ maxKeysPerUser: 1 });
    const now = Date.now();
    await lk.createApiKey({ userId: user.id, expiresAt: Math.floor(now / 1000) + 60 });
    jest.spyOn(Date, 'now').mockReturnValue(now + 120_000);
    await expect(lk.createApiKey({ userId: user.id })).resolves.toBeDefined();
  });
});

describe('fetchApiKey', () => {
  it('answers not_found for unknown and malformed ids', async () => {
    for (const id of [randomUUID().replace(/-/g, ''), 'nope', '', '../etc/passwd']) {
      await expect(lk.fetchApiKey(id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    }
  });
});

describe('updateApiKey', () => {
  it('changes the display name, the expiry and the metadata', async () => {
    const { apiKeyId } = await lk.createApiKey({ displayName: 'old', metadata: { a: 1 } });
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const updated = await lk.updateApiKey(apiKeyId, {
      displayName: 'new',
      expiresAt,
      metadata: { b: 2 },
    });
    expect(updated).toMatchObject({ displayName: 'new', expiresAt, metadata: { b: 2 } });
    expect(await lk.fetchApiKey(apiKeyId)).toEqual(updated);
  });

  it('makes a key never expire with expiresAt null', async () => {
    const { apiKeyId } = await lk.createApiKey({ expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expect((await lk.updateApiKey(apiKeyId, { expiresAt: null })).expiresAt).toBeNull();
  });

  it('leaves fields that are not in the update as they were', async () => {
    const { apiKeyId } = await lk.createApiKey({ displayName: 'keep', metadata: { keep: true } });
    const updated = await lk.updateApiKey(apiKeyId, { displayName: 'renamed' });
    expect(updated.metadata).toEqual({ keep: true });
    expect((await lk.updateApiKey(apiKeyId, {})).displayName).toBe('renamed');
  });

  it.each([
    ['an expiry in the past', { expiresAt: 1 }, 'expiresAt'],
    ['an expiry past the year 9999', { expiresAt: 1e13 }, 'expiresAt'],
    ['metadata that is an array', { metadata: [] }, 'metadata'],
    ['metadata with a $-key', { metadata: { $gt: 1 } }, 'metadata'],
    ['a display name over 100 characters', { displayName: 'x'.repeat(101) }, 'displayName'],
    ['a new owner (owners cannot change)', { userId: randomUUID() }, 'userId'],
  ])('refuses %s naming the field and changes nothing', async (_name, patch, field) => {
    const { apiKeyId } = await lk.createApiKey({ displayName: 'same', metadata: { same: 1 } });
    const before = await lk.fetchApiKey(apiKeyId);
    counting.reset();
    await expect(lk.updateApiKey(apiKeyId, patch as never)).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { [field]: [expect.any(String)] },
    });
    expect(counting.total(WRITE_METHODS)).toBe(0);
    expect(await lk.fetchApiKey(apiKeyId)).toEqual(before);
  });

  it('refuses to change an archived key', async () => {
    const { apiKeyId } = await lk.createApiKey({});
    await lk.archiveApiKey(apiKeyId);
    await expect(lk.updateApiKey(apiKeyId, { displayName: 'x' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('answers not_found for an unknown key', async () => {
    await expect(lk.updateApiKey('0'.repeat(32), { displayName: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('archiveApiKey', () => {
  it('archives once; a second archive is a conflict', async () => {
    const { apiKeyId } = await lk.createApiKey({});
    const archived = await lk.archiveApiKey(apiKeyId);
    expect(archived.archivedAt).toBeGreaterThan(0);
    await expect(lk.archiveApiKey(apiKeyId)).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
    });
    expect((await lk.fetchApiKey(apiKeyId)).archivedAt).toBe(archived.archivedAt);
  });

  it('answers not_found for an unknown key', async () => {
    await expect(lk.archiveApiKey('f'.repeat(32))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('listApiKeys', () => {
  async function population() {
    const { user, org } = await aWorld(lk);
    const other = await lk.createUser({ email: 'Other.Person@Example.com' });
    const personal = await lk.createApiKey({ userId: user.id });
    const otherPersonal = await lk.createApiKey({ userId: other.id });
    const orgKey = await lk.createApiKey({ orgId: org.id, userId: user.id });
    const generic = await lk.createApiKey({});
    const archived = await lk.createApiKey({ userId: user.id });
    await lk.archiveApiKey(archived.apiKeyId);
    return { user, other, org, personal, otherPersonal, orgKey, generic, archived };
  }
  const ids = (list: { keys: { id: string }[] }) => list.keys.map((k) => k.id).sort();

  it('lists current keys by default filters: user, user email (any case) and org', async () => {
    const p = await population();
    expect(ids(await lk.listApiKeys({ userId: p.user.id, archived: false }))).toEqual(
      [p.personal.apiKeyId, p.orgKey.apiKeyId].sort(),
    );
    expect(ids(await lk.listApiKeys({ userEmail: 'other.person@example.COM' }))).toEqual([
      p.otherPersonal.apiKeyId,
    ]);
    expect(ids(await lk.listApiKeys({ orgId: p.org.id }))).toEqual([p.orgKey.apiKeyId]);
    expect(ids(await lk.listApiKeys({ archived: true }))).toEqual([p.archived.apiKeyId]);
    expect(ids(await lk.listApiKeys({ userId: p.user.id, archived: true }))).toEqual([
      p.archived.apiKeyId,
    ]);
    expect((await lk.listApiKeys({ archived: false })).total).toBe(4);
  });

  it('answers an empty page for an unknown email or an email that is not the given user', async () => {
    const p = await population();
    expect((await lk.listApiKeys({ userEmail: 'nobody@example.com' })).total).toBe(0);
    expect((await lk.listApiKeys({ userEmail: p.other.email, userId: p.user.id })).total).toBe(0);
  });

  it('pages newest first with total and hasMore', async () => {
    for (let i = 0; i < 5; i++) await lk.createApiKey({ displayName: `k${i}` });
    const first = await lk.listApiKeys({ pageSize: 2, pageNumber: 0 });
    const last = await lk.listApiKeys({ pageSize: 2, pageNumber: 2 });
    expect(first).toMatchObject({ total: 5, pageSize: 2, pageNumber: 0, hasMore: true });
    expect(first.keys).toHaveLength(2);
    expect(last).toMatchObject({ total: 5, hasMore: false });
    expect(last.keys).toHaveLength(1);
    const all = await lk.listApiKeys({ pageSize: 100 });
    expect(new Set(all.keys.map((k) => k.id)).size).toBe(5);
    for (const key of all.keys) expect(key).not.toHaveProperty('digest');
  });

  it.each([
    [{ userId: 'x' }, 'userId'],
    [{ orgId: 'x' }, 'orgId'],
    [{ pageSize: 0 }, 'pageSize'],
    [{ pageSize: 1001 }, 'pageSize'],
    [{ pageNumber: -1 }, 'pageNumber'],
    [{ pageNumber: 1.5 }, 'pageNumber'],
    [{ userEmail: {} }, 'userEmail'],
    [{ kind: 'robot' }, 'kind'],
    [{ archived: 'yes' }, 'archived'],
    [{ state: 'gone' }, 'state'],
    [{ search: [] }, 'search'],
  ])('refuses %j naming the field', async (query, field) => {
    await expect(lk.listApiKeys(query as never)).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { [field]: [expect.any(String)] },
    });
  });
});

describe('importApiKey', () => {
  const legacy = 'sk_live_7d1cb4a0e35fLegacy';

  it('stores the token by digest and hint only, as an imported key of the given owner', async () => {
    const { org } = await aWorld(lk);
    const view = await lk.importApiKey({ token: legacy, orgId: org.id, displayName: 'From v1' });
    expect(view).toMatchObject({ kind: 'org', orgId: org.id, imported: true, hint: '…acy' });
    const dump = dumpDatabase(lk.store);
    expect(dump).toContain(digestToken(legacy));
    expect(dump).not.toContain(legacy);
  });

  it('stores a token given with "Bearer " by the digest of the token alone', async () => {
    await lk.importApiKey({ token: `Bearer ${legacy}` });
    expect(dumpDatabase(lk.store)).toContain(digestToken(legacy));
    await expect(lk.importApiKey({ token: legacy })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a token that is already stored, imported or native', async () => {
    await lk.importApiKey({ token: legacy });
    await expect(lk.importApiKey({ token: legacy })).rejects.toMatchObject({ code: 'conflict' });
    const { apiKeyToken } = await lk.createApiKey({});
    await expect(lk.importApiKey({ token: apiKeyToken })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it.each([
    ['no token', {}, 'token'],
    ['a token under 8 characters', { token: 'short' }, 'token'],
    ['a token that is only "Bearer "', { token: 'Bearer ' }, 'token'],
    ['a token under 8 characters after "Bearer "', { token: 'Bearer short' }, 'token'],
    ['a token of spaces after "Bearer "', { token: `Bearer ${' '.repeat(10)}` }, 'token'],
    ['a token over 512 characters', { token: 'x'.repeat(513) }, 'token'],
    ['an unknown user', { token: legacy, userId: randomUUID() }, 'userId'],
    ['metadata that is not an object', { token: legacy, metadata: 'x' }, 'metadata'],
    ['an expiry in the past', { token: legacy, expiresAt: 1 }, 'expiresAt'],
    ['an expiry past the year 9999', { token: legacy, expiresAt: 1e13 }, 'expiresAt'],
  ])('refuses %s naming the field and stores nothing', async (_name, input, field) => {
    counting.reset();
    await expect(lk.importApiKey(input as never)).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { [field]: [expect.any(String)] },
    });
    expect(counting.total(WRITE_METHODS)).toBe(0);
  });
});
