import {
  ApiKeyCreateException,
  ApiKeyImportException,
  ApiKeyUpdateException,
  ApiKeyValidateException,
  OrgMemberInfo,
} from '@propelauth/node';
import { BACKEND_API_PREFIX, ENDPOINTS } from '../../src/http/rest/routes';
import { servePropelAuthOrigin, type PropelAuthOrigin } from './propelauth-origin';
import { makeBackend, SERVING } from './support';

/**
 * Drives the real @propelauth/node client against a running Latchkey server, its fixed
 * origin pointed at the server (see propelauth-origin.ts).
 */
describe.each(SERVING)('@propelauth/node against a running Latchkey server (%s)', (serving) => {
  let backend: Awaited<ReturnType<typeof makeBackend>>;
  let origin: PropelAuthOrigin;

  beforeAll(async () => {
    backend = await makeBackend({ cacheTtlMs: 0 }, serving);
    origin = await servePropelAuthOrigin(backend.app);
  });

  afterAll(async () => {
    await origin.close();
    await backend.latchkey.close();
  });

  const client = (apiKey = backend.integrationKey) => origin.client(apiKey);

  it('provisions users, orgs and memberships', async () => {
    const auth = client();
    const { userId } = await auth.createUser({
      email: 'lin@example.com',
      emailConfirmed: true,
      password: 'a long password',
      firstName: 'Lin',
      lastName: 'Ko',
      properties: { plan: 'team' },
    });
    const byId = await auth.fetchUserMetadataByUserId(userId, true);
    expect(byId).toMatchObject({
      userId,
      email: 'lin@example.com',
      firstName: 'Lin',
      hasPassword: true,
      enabled: true,
      properties: { plan: 'team' },
      orgIdToOrgInfo: {},
    });
    expect((await auth.fetchUserMetadataByEmail('lin@example.com'))?.userId).toBe(userId);
    expect(await auth.fetchUserMetadataByEmail('ghost@example.com')).toBeNull();

    const org = await auth.createOrg({ name: 'Globex' });
    expect(org).toEqual({ orgId: expect.any(String), name: 'Globex' });
    expect(await auth.fetchOrg(org.orgId)).toMatchObject({
      orgId: org.orgId,
      name: 'Globex',
      urlSafeOrgSlug: 'globex',
    });

    expect(await auth.addUserToOrg({ userId, orgId: org.orgId, role: 'Member' })).toBe(true);
    expect(await auth.changeUserRoleInOrg({ userId, orgId: org.orgId, role: 'Admin' })).toBe(true);
    const members = await auth.fetchUsersInOrg({ orgId: org.orgId, includeOrgs: true });
    expect(members).toMatchObject({ totalUsers: 1, currentPage: 0, hasMoreResults: false });
    expect(members.users[0]).toMatchObject({ userId, roleInOrg: 'Admin' });
    const info = (await auth.fetchUserMetadataByUserId(userId, true))?.orgIdToOrgInfo?.[org.orgId];
    expect(info).toBeInstanceOf(OrgMemberInfo);
    expect(info?.isRole('Admin')).toBe(true);
    expect(info?.isAtLeastRole('Member')).toBe(true);

    expect(await auth.disableUser(userId)).toBe(true);
    expect((await auth.fetchUserMetadataByUserId(userId))?.enabled).toBe(false);
    expect(await auth.enableUser(userId)).toBe(true);
    expect(await auth.removeUserFromOrg({ userId, orgId: org.orgId })).toBe(true);
    expect((await auth.fetchUsersInOrg({ orgId: org.orgId })).totalUsers).toBe(0);

    expect(await auth.deleteUser(userId)).toBe(true);
    expect(await auth.deleteUser(userId)).toBe(false);
    expect(await auth.fetchUserMetadataByUserId(userId)).toBeNull();
    expect(await auth.deleteOrg(org.orgId)).toBe(true);
    expect(await auth.fetchOrg(org.orgId)).toBeNull();
    expect(await auth.disableUser(userId)).toBe(false);
  });

  it('creates, fetches, lists, updates, validates and deletes API keys', async () => {
    const auth = client();
    const { userId } = await auth.createUser({ email: 'kim@example.com' });
    const { orgId } = await auth.createOrg({ name: 'Hooli' });
    await auth.addUserToOrg({ userId, orgId, role: 'Owner' });

    const personal = await auth.createApiKey({
      userId,
      metadata: { scope: 'read' },
      displayName: 'CLI',
    });
    expect(personal).toEqual({
      apiKeyId: expect.stringMatching(/^[0-9a-f]{32}$/),
      apiKeyToken: expect.any(String),
    });
    const orgKey = await auth.createApiKey({ orgId, userId });
    const generic = await auth.createApiKey({ metadata: { service: 'etl' } });

    expect(await auth.fetchApiKey(personal.apiKeyId)).toMatchObject({
      apiKeyId: personal.apiKeyId,
      userId,
      metadata: { scope: 'read' },
      displayName: 'CLI',
    });
    // A user's keys are their personal keys and the org keys they created.
    const current = await auth.fetchCurrentApiKeys({ userId });
    expect(current).toMatchObject({ totalApiKeys: 2, currentPage: 0, hasMoreResults: false });
    expect(current.apiKeys.map((k) => k.apiKeyId).sort()).toEqual(
      [personal.apiKeyId, orgKey.apiKeyId].sort(),
    );
    expect((await auth.fetchCurrentApiKeys({ orgId })).apiKeys.map((k) => k.apiKeyId)).toEqual([
      orgKey.apiKeyId,
    ]);
    expect((await auth.fetchCurrentApiKeys({ userEmail: 'kim@example.com' })).totalApiKeys).toBe(2);
    const firstPage = await auth.fetchCurrentApiKeys({ pageSize: 2, pageNumber: 0 });
    expect(firstPage).toMatchObject({ totalApiKeys: 3, pageSize: 2, hasMoreResults: true });

    const expiresAtSeconds = Math.floor(Date.now() / 1000) + 86_400;
    expect(await auth.updateApiKey(personal.apiKeyId, { expiresAtSeconds })).toBe(true);
    expect((await auth.fetchApiKey(personal.apiKeyId)).expiresAtSeconds).toBe(expiresAtSeconds);
    expect(await auth.updateApiKey(personal.apiKeyId, { setToNeverExpire: true })).toBe(true);
    expect((await auth.fetchApiKey(personal.apiKeyId)).expiresAtSeconds).toBeNull();

    const asPersonal = await auth.validatePersonalApiKey(`Bearer ${personal.apiKeyToken}`);
    expect(asPersonal.user).toMatchObject({ userId, email: 'kim@example.com' });
    expect(asPersonal.metadata).toEqual({ scope: 'read' });

    const asOrg = await auth.validateOrgApiKey(orgKey.apiKeyToken);
    expect(asOrg.org).toMatchObject({ orgId, name: 'Hooli' });
    expect(asOrg.user?.userId).toBe(userId);
    expect(asOrg.userInOrg).toBeInstanceOf(OrgMemberInfo);
    expect(asOrg.userInOrg?.isRole('Owner')).toBe(true);

    const asGeneric = await auth.validateApiKey(generic.apiKeyToken);
    expect(asGeneric.metadata).toEqual({ service: 'etl' });
    expect(asGeneric.user).toBeUndefined();
    expect(asGeneric.org).toBeUndefined();

    await expect(auth.validateOrgApiKey(personal.apiKeyToken)).rejects.toBeInstanceOf(
      ApiKeyValidateException,
    );
    const invalid = await auth.validateApiKey('lk_not_a_real_key').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiKeyValidateException);
    expect((invalid as ApiKeyValidateException).fieldToErrors).toEqual({
      api_key_token: ['The API key is malformed.'],
    });

    const imported = await auth.importApiKey({
      importedApiKey: 'old-system-key-42',
      userId,
      metadata: { legacy: true },
    });
    expect(imported).toEqual({ apiKeyId: expect.any(String) });
    const viaImport = await auth.validateImportedApiKey('old-system-key-42');
    expect(viaImport).toMatchObject({ metadata: { legacy: true }, user: { userId } });

    const today = new Date().toISOString().slice(0, 10);
    // The client checks the kind itself, after a successful validation: that counts as a use.
    expect(await auth.fetchApiKeyUsage({ date: today, api_key_id: personal.apiKeyId })).toEqual({
      count: 2,
    });
    expect(await auth.fetchApiKeyUsage({ date: today })).toEqual({ count: 5 });

    expect(await auth.deleteApiKey(personal.apiKeyId)).toBe(true);
    expect(await auth.deleteApiKey(personal.apiKeyId)).toBe(false);
    const archived = await auth.fetchArchivedApiKeys({ userId });
    expect(archived.apiKeys.map((k) => k.apiKeyId)).toEqual([personal.apiKeyId]);
    await expect(auth.validateApiKey(personal.apiKeyToken)).rejects.toBeInstanceOf(
      ApiKeyValidateException,
    );

    const strangerOrg = await auth
      .createApiKey({ orgId, userId: '00000000-0000-4000-8000-000000000009' })
      .catch((e: unknown) => e);
    expect(strangerOrg).toBeInstanceOf(ApiKeyCreateException);
    expect((strangerOrg as ApiKeyCreateException).fieldToErrors).toHaveProperty('user_id');
  });

  it('turns refusals into the typed exceptions, with the reason and the error code', async () => {
    const auth = client();
    const lk = backend.latchkey;
    const user = await lk.createUser({ email: 'refused@example.com' });
    const org = await lk.createOrg({ name: 'Refused Inc' });
    const refusal = async (call: Promise<unknown>, type: new (m: string) => Error) => {
      const err = await call.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(type);
      return (err as { fieldToErrors: Record<string, unknown> }).fieldToErrors;
    };
    try {
      await lk.updateSettings({ maxKeysPerUser: 1 });
      await auth.createApiKey({ userId: user.id });
      expect(await refusal(auth.createApiKey({ userId: user.id }), ApiKeyCreateException)).toEqual({
        user_id: ['This user already has the maximum of 1 active API key. Revoke one first.'],
        error: 'limit_reached',
        message: 'This user already has the maximum of 1 active API key. Revoke one first.',
      });

      await lk.updateSettings({ orgKeysEnabled: false });
      expect(await refusal(auth.createApiKey({ orgId: org.id }), ApiKeyCreateException)).toEqual({
        org_id: ['Organization API keys are turned off.'],
        error: 'kind_disabled',
        message: 'Organization API keys are turned off.',
      });
      await lk.updateSettings({ orgKeysEnabled: true, maxKeysPerUser: 0 });

      await auth.importApiKey({ importedApiKey: 'imported-twice-1', userId: user.id });
      const twice = await refusal(
        auth.importApiKey({ importedApiKey: 'imported-twice-1', userId: user.id }),
        ApiKeyImportException,
      );
      expect(twice).toMatchObject({ error: 'conflict', imported_api_key: [expect.any(String)] });

      const { apiKeyId } = await lk.createApiKey({ userId: user.id });
      await lk.archiveApiKey(apiKeyId);
      expect(
        await refusal(
          auth.updateApiKey(apiKeyId, { setToNeverExpire: true }),
          ApiKeyUpdateException,
        ),
      ).toEqual({
        api_key_id: ['This API key is archived and can no longer be changed.'],
        error: 'conflict',
        message: 'This API key is archived and can no longer be changed.',
      });
    } finally {
      await lk.updateSettings({ maxKeysPerUser: 0, orgKeysEnabled: true });
    }
  });

  it('reports a wrong integration key the way the client expects', async () => {
    await expect(client('lki_wrong').fetchCurrentApiKeys({})).rejects.toThrow(
      'integrationApiKey is incorrect',
    );
  });

  it('only ever called routes of the backend API table', () => {
    const routes = ENDPOINTS.map((e) => ({
      method: e.method.toUpperCase(),
      pattern: new RegExp(`^${BACKEND_API_PREFIX}${e.path.replace(/\{\w+\}/g, '[^/]+')}$`),
    }));
    expect(origin.seen.length).toBeGreaterThan(25);
    for (const call of origin.seen) {
      expect(routes.some((r) => r.method === call.method && r.pattern.test(call.path))).toBe(true);
    }
  });
});
