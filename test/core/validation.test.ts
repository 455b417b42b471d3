import { generateToken } from '../../src/core/token';
import type { Validation } from '../../src/core/validation-result';
import type { SqliteStore } from '../../src/store/sqlite';
import { makeLatchkey } from '../support/harness';
import { aCountingStore, aWorld, validationReads } from '../support/world';

type Lk = Awaited<ReturnType<typeof makeLatchkey>>;

/** The seed's user object, field for field. */
const SEED_USER_FIELDS = [
  'userId',
  'email',
  'emailConfirmed',
  'hasPassword',
  'pictureUrl',
  'locked',
  'enabled',
  'mfaEnabled',
  'canCreateOrgs',
  'createdAt',
  'lastActiveAt',
  'orgIdToOrgInfo',
  'updatePasswordRequired',
].sort();
const ORG_INFO_FIELDS = [
  'orgId',
  'orgName',
  'urlSafeOrgName',
  'userAssignedRole',
  'userPermissions',
].sort();

function valid<T extends Validation>(result: T): Extract<T, { valid: true }>['apiKey'] {
  if (!result.valid) throw new Error(`expected a valid key, got ${result.reason}`);
  return result.apiKey;
}

function reasonOf(result: Validation): string {
  return result.valid ? 'valid' : result.reason;
}

let lk: Lk;
beforeEach(async () => {
  lk = await makeLatchkey();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await lk.close();
});

describe('result shapes', () => {
  it('a personal key gives the seed user object and the metadata', async () => {
    const { user, org } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({
      userId: user.id,
      metadata: { howDoISetThis: 'on creation or update' },
    });
    const identity = valid(await lk.validatePersonalApiKey(apiKeyToken));
    expect(Object.keys(identity).sort()).toEqual(['apiKeyId', 'kind', 'metadata', 'user']);
    expect(identity).toMatchObject({
      kind: 'personal',
      apiKeyId,
      metadata: { howDoISetThis: 'on creation or update' },
    });
    if (identity.kind !== 'personal') throw new Error('expected a personal key');
    expect(Object.keys(identity.user).sort()).toEqual(SEED_USER_FIELDS);
    expect(identity.user).toEqual({
      userId: user.id,
      email: user.email,
      emailConfirmed: true,
      hasPassword: true,
      pictureUrl: null,
      locked: false,
      enabled: true,
      mfaEnabled: false,
      canCreateOrgs: false,
      createdAt: user.createdAt,
      lastActiveAt: user.lastActiveAt,
      orgIdToOrgInfo: {
        [org.id]: {
          orgId: org.id,
          orgName: 'Acme Inc',
          urlSafeOrgName: org.urlSafeName,
          userAssignedRole: 'Admin',
          userPermissions: ['can_manage_api_keys'],
        },
      },
      updatePasswordRequired: false,
    });
    // Unix seconds, as in the seed.
    expect(identity.user.createdAt).toBeLessThan(10_000_000_000);
    expect(Number.isInteger(identity.user.createdAt)).toBe(true);
  });

  it('an org key gives the org, its creator and their membership, and the metadata', async () => {
    const { user, org } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({
      orgId: org.id,
      userId: user.id,
      metadata: { team: 'billing' },
    });
    const identity = valid(await lk.validateOrgApiKey(apiKeyToken));
    expect(Object.keys(identity).sort()).toEqual([
      'apiKeyId',
      'kind',
      'metadata',
      'org',
      'user',
      'userInOrg',
    ]);
    if (identity.kind !== 'org') throw new Error('expected an org key');
    expect(identity.apiKeyId).toBe(apiKeyId);
    expect(identity.org).toEqual({
      orgId: org.id,
      orgName: 'Acme Inc',
      urlSafeOrgName: org.urlSafeName,
      metadata: {},
    });
    expect(Object.keys(identity.user ?? {}).sort()).toEqual(SEED_USER_FIELDS);
    expect(identity.user?.userId).toBe(user.id);
    expect(Object.keys(identity.userInOrg ?? {}).sort()).toEqual(ORG_INFO_FIELDS);
    expect(identity.userInOrg).toMatchObject({ orgId: org.id, userAssignedRole: 'Admin' });
    expect(identity.metadata).toEqual({ team: 'billing' });
  });

  it('an org key without a creator gives just the org and the metadata', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ orgId: org.id });
    const identity = valid(await lk.validateOrgApiKey(apiKeyToken));
    expect(Object.keys(identity).sort()).toEqual(['apiKeyId', 'kind', 'metadata', 'org']);
  });

  it('an org key whose creator left the org names neither user nor userInOrg', async () => {
    const { user, org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ orgId: org.id, userId: user.id });
    await lk.removeUserFromOrg(org.id, user.id);
    const identity = valid(await lk.validateOrgApiKey(apiKeyToken));
    expect(Object.keys(identity).sort()).toEqual(['apiKeyId', 'kind', 'metadata', 'org']);
  });

  it('a generic key gives only the metadata (with its id and kind)', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ metadata: { service: 'billing' } });
    expect(valid(await lk.validateApiKey(apiKeyToken))).toEqual({
      kind: 'generic',
      apiKeyId,
      metadata: { service: 'billing' },
    });
  });

  it('accepts the token with or without "Bearer "', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    expect((await lk.validateApiKey(`Bearer ${apiKeyToken}`)).valid).toBe(true);
    expect((await lk.validateApiKey(`bearer  ${apiKeyToken} `)).valid).toBe(true);
  });

  it('keeps accepting existing keys after the token prefix changes', async () => {
    const { apiKeyToken: before } = await lk.createApiKey({});
    await lk.updateSettings({ tokenPrefix: 'acme' });
    const { apiKeyToken: after } = await lk.createApiKey({});
    expect(after.startsWith('acme_')).toBe(true);
    expect((await lk.validateApiKey(before)).valid).toBe(true);
    expect((await lk.validateApiKey(after)).valid).toBe(true);
  });

  it('validateApiKey accepts every kind', async () => {
    const { user, org } = await aWorld(lk);
    for (const input of [{ userId: user.id }, { orgId: org.id }, {}]) {
      const { apiKeyToken } = await lk.createApiKey(input);
      expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    }
  });
});

describe('failures', () => {
  it('an unknown token with a valid checksum is not_found', async () => {
    expect(reasonOf(await lk.validateApiKey(generateToken('lk')))).toBe('not_found');
  });

  it('a mistyped token is malformed', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    const typo =
      apiKeyToken.slice(0, 10) + (apiKeyToken[10] === 'a' ? 'b' : 'a') + apiKeyToken.slice(11);
    expect(reasonOf(await lk.validateApiKey(typo))).toBe('malformed');
    for (const junk of [undefined, null, 42, '', 'Bearer', 'Bearer ']) {
      expect(reasonOf(await lk.validateApiKey(junk))).toBe('malformed');
    }
  });

  it('an archived key fails at once', async () => {
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    await lk.archiveApiKey(apiKeyId);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('a key fails from the second it expires, with the reason expired', async () => {
    const now = Date.now();
    const { apiKeyToken } = await lk.createApiKey({ expiresAt: Math.floor(now / 1000) + 60 });
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    const result = await lk.validateApiKey(apiKeyToken);
    expect(result).toEqual({
      valid: false,
      reason: 'expired',
      message: 'The API key has expired.',
    });
  });

  it('personal keys fail while personal keys are turned off, and work again when turned on', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await lk.updateSettings({ personalKeysEnabled: false });
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('kind_disabled');
    await lk.updateSettings({ personalKeysEnabled: true });
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('valid');
  });

  it('org keys fail while org keys are turned off, and work again when turned on', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyToken: orgToken } = await lk.createApiKey({ orgId: org.id });
    const { apiKeyToken: genericToken } = await lk.createApiKey({});
    await lk.updateSettings({ orgKeysEnabled: false });
    expect(reasonOf(await lk.validateApiKey(orgToken))).toBe('kind_disabled');
    // Generic keys have no switch.
    expect(reasonOf(await lk.validateApiKey(genericToken))).toBe('valid');
    await lk.updateSettings({ orgKeysEnabled: true });
    expect(reasonOf(await lk.validateApiKey(orgToken))).toBe('valid');
  });

  it('a personal key fails while its user is disabled, and works again when enabled', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await lk.disableUser(user.id);
    expect(reasonOf(await lk.validatePersonalApiKey(apiKeyToken))).toBe('user_disabled');
    await lk.enableUser(user.id);
    expect(reasonOf(await lk.validatePersonalApiKey(apiKeyToken))).toBe('valid');
  });

  it('a personal key fails while its user is locked, and works again when unlocked', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await lk.lockUser(user.id);
    expect(reasonOf(await lk.validatePersonalApiKey(apiKeyToken))).toBe('user_locked');
    await lk.unlockUser(user.id);
    expect(reasonOf(await lk.validatePersonalApiKey(apiKeyToken))).toBe('valid');
  });

  it('a personal key of a deleted user fails (archived by the cascade)', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    await lk.deleteUser(user.id);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('a personal key whose user row vanished without the cascade still fails', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    (lk.store as SqliteStore).db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
    lk.validator.forgetAll();
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('user_deleted');
  });

  it('an org key of a deleted org fails (archived by the cascade)', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ orgId: org.id });
    await lk.deleteOrg(org.id);
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('archived');
  });

  it('an org key whose org row vanished without the cascade still fails', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyToken } = await lk.createApiKey({ orgId: org.id });
    (lk.store as SqliteStore).db.prepare('DELETE FROM orgs WHERE id = ?').run(org.id);
    lk.validator.forgetAll();
    expect(reasonOf(await lk.validateApiKey(apiKeyToken))).toBe('org_deleted');
  });

  it('every failure is a value with a message, never an exception', async () => {
    const result = await lk.validateApiKey(generateToken('lk'));
    expect(result).toEqual({ valid: false, reason: 'not_found', message: expect.any(String) });
  });
});

describe('kind-specific validation', () => {
  it('validatePersonalApiKey refuses org and generic keys as wrong_kind', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyToken: orgToken } = await lk.createApiKey({ orgId: org.id });
    const { apiKeyToken: genericToken } = await lk.createApiKey({});
    expect(reasonOf(await lk.validatePersonalApiKey(orgToken))).toBe('wrong_kind');
    expect(reasonOf(await lk.validatePersonalApiKey(genericToken))).toBe('wrong_kind');
  });

  it('validateOrgApiKey refuses personal and generic keys as wrong_kind', async () => {
    const { user } = await aWorld(lk);
    const { apiKeyToken: personalToken } = await lk.createApiKey({ userId: user.id });
    const { apiKeyToken: genericToken } = await lk.createApiKey({});
    expect(reasonOf(await lk.validateOrgApiKey(personalToken))).toBe('wrong_kind');
    expect(reasonOf(await lk.validateOrgApiKey(genericToken))).toBe('wrong_kind');
  });

  it('a wrong-kind check never lets a failing key through as wrong_kind', async () => {
    const { org } = await aWorld(lk);
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ orgId: org.id });
    await lk.archiveApiKey(apiKeyId);
    expect(reasonOf(await lk.validatePersonalApiKey(apiKeyToken))).toBe('archived');
  });
});

describe('imported keys', () => {
  const legacy = 'sk_live_51HxLegacyTokenFromAnotherSystem';

  it('validate with validateImportedApiKey, with or without "Bearer "', async () => {
    const { user } = await aWorld(lk);
    const view = await lk.importApiKey({
      token: legacy,
      userId: user.id,
      metadata: { from: 'v1' },
    });
    expect(view.imported).toBe(true);
    const identity = valid(await lk.validateImportedApiKey(legacy));
    expect(identity).toMatchObject({
      kind: 'personal',
      apiKeyId: view.id,
      metadata: { from: 'v1' },
    });
    expect((await lk.validateImportedApiKey(`Bearer ${legacy}`)).valid).toBe(true);
  });

  it('validate with or without "Bearer " when imported with it', async () => {
    const view = await lk.importApiKey({ token: 'Bearer legacy-token-123' });
    expect(valid(await lk.validateImportedApiKey('legacy-token-123')).apiKeyId).toBe(view.id);
    expect(valid(await lk.validateImportedApiKey('Bearer legacy-token-123')).apiKeyId).toBe(
      view.id,
    );
    expect(view.hint).not.toContain('Bearer');
  });

  it('never validate through validateApiKey, even when shaped like a native token', async () => {
    const nativeShaped = generateToken('lk');
    await lk.importApiKey({ token: legacy });
    await lk.importApiKey({ token: nativeShaped });
    expect(reasonOf(await lk.validateApiKey(legacy))).toBe('malformed');
    expect(reasonOf(await lk.validateApiKey(nativeShaped))).toBe('not_found');
    expect(reasonOf(await lk.validateImportedApiKey(nativeShaped))).toBe('valid');
  });

  it('a native key does not validate through validateImportedApiKey', async () => {
    const { apiKeyToken } = await lk.createApiKey({});
    expect(reasonOf(await lk.validateImportedApiKey(apiKeyToken))).toBe('not_found');
  });

  it('follow the same rules as native keys (archive, owner disabled)', async () => {
    const { user } = await aWorld(lk);
    const view = await lk.importApiKey({ token: legacy, userId: user.id });
    await lk.disableUser(user.id);
    expect(reasonOf(await lk.validateImportedApiKey(legacy))).toBe('user_disabled');
    await lk.enableUser(user.id);
    await lk.archiveApiKey(view.id);
    expect(reasonOf(await lk.validateImportedApiKey(legacy))).toBe('archived');
  });

  it('refuse junk before reading the store', async () => {
    for (const junk of [undefined, 42, '', 'short', 'x'.repeat(2000)]) {
      expect(reasonOf(await lk.validateImportedApiKey(junk))).toBe('malformed');
    }
  });
});

describe('checksum before store', () => {
  it('a token failing its checksum causes no store read at all', async () => {
    const counting = aCountingStore();
    const spied = await makeLatchkey({ store: counting.store });
    try {
      const { apiKeyToken } = await spied.createApiKey({});
      const typo = apiKeyToken.slice(0, -1) + (apiKeyToken.endsWith('a') ? 'b' : 'a');
      counting.reset();
      for (const raw of [typo, `Bearer ${typo}`, 'lk_nope', '', 'Bearer', 'x'.repeat(10_000)]) {
        expect((await spied.validateApiKey(raw)).valid).toBe(false);
      }
      expect(counting.calls).toEqual({});
      // The same count proves the spy sees reads: one good token costs a read.
      await spied.validateApiKey(apiKeyToken);
      expect(validationReads(counting)).toBe(1);
    } finally {
      await spied.close();
    }
  });
});
