import { ScopeCatalog } from '../../src/core/scopes';
import { makeLatchkey, type TestLatchkey } from '../support/harness';

const SCOPES = [
  { name: 'projects:read', description: 'Read projects' },
  { name: 'projects:write', description: 'Change projects' },
  { name: 'billing:admin', description: 'Manage billing', kinds: ['generic' as const] },
];

const valid = <T extends { valid: boolean }>(r: T) => {
  if (!r.valid) throw new Error(`expected a valid key, got ${JSON.stringify(r)}`);
  return r as Extract<T, { valid: true }>;
};

describe('key scopes in the library', () => {
  let lk: TestLatchkey;
  afterEach(async () => lk.close());

  it('gives a key created without scopes every scope its kind may hold, and carries them in validation', async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    const user = await lk.createUser({ email: 'a@example.com' });
    const personal = await lk.createApiKey({ userId: user.id });
    expect(personal.key.scopes).toEqual(['projects:read', 'projects:write']);
    const generic = await lk.createApiKey({});
    expect(generic.key.scopes).toEqual(['projects:read', 'projects:write', 'billing:admin']);
    expect(valid(await lk.validateApiKey(personal.apiKeyToken)).apiKey.scopes).toEqual([
      'projects:read',
      'projects:write',
    ]);
  });

  it('stores the scopes asked for, in declaration order, and the configured default set', async () => {
    lk = await makeLatchkey({ scopes: { scopes: SCOPES, defaultScopes: ['projects:read'] } });
    expect((await lk.createApiKey({})).key.scopes).toEqual(['projects:read']);
    const chosen = await lk.createApiKey({ scopes: ['projects:write', 'projects:read'] });
    expect(chosen.key.scopes).toEqual(['projects:read', 'projects:write']);
    expect((await lk.createApiKey({ scopes: [] })).key.scopes).toEqual([]);
  });

  it('refuses unknown scope names and scopes the kind may not hold, naming the field', async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    const user = await lk.createUser({ email: 'b@example.com' });
    await expect(lk.createApiKey({ scopes: ['projects:delete'] })).rejects.toMatchObject({
      code: 'invalid_input',
      fields: { scopes: ['"projects:delete" is not a scope of this product'] },
    });
    await expect(
      lk.createApiKey({ userId: user.id, scopes: ['billing:admin'] }),
    ).rejects.toMatchObject({
      fields: { scopes: ['"billing:admin" cannot be held by personal keys'] },
    });
  });

  it('changes a key’s scopes, audited, and validation sees the change at once', async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({ scopes: ['projects:read'] });
    await lk.validateApiKey(apiKeyToken);
    const updated = await lk.updateApiKey(
      apiKeyId,
      { scopes: ['projects:write'] },
      { actor: 'admin:x' },
    );
    expect(updated.scopes).toEqual(['projects:write']);
    expect((await lk.fetchApiKey(apiKeyId)).scopes).toEqual(['projects:write']);
    expect(valid(await lk.validateApiKey(apiKeyToken)).apiKey.scopes).toEqual(['projects:write']);
    const events = await lk.listAuditEvents({ action: 'key.updated' });
    expect(events.items[0]?.details).toMatchObject({ scopes: ['projects:write'] });
    await expect(lk.updateApiKey(apiKeyId, { scopes: ['nope'] })).rejects.toMatchObject({
      fields: { scopes: ['"nope" is not a scope of this product'] },
    });
  });

  it('gives keys stored before scopes existed the default set', async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    const { apiKeyId, apiKeyToken } = await lk.createApiKey({});
    await lk.store.updateKey(apiKeyId, { scopes: null });
    lk.forgetCachedValidations();
    expect(valid(await lk.validateApiKey(apiKeyToken)).apiKey.scopes).toEqual([
      'projects:read',
      'projects:write',
      'billing:admin',
    ]);
  });

  it('leaves identities as they were when the product declares no scopes', async () => {
    lk = await makeLatchkey();
    const { key, apiKeyToken } = await lk.createApiKey({});
    expect(key.scopes).toEqual([]);
    expect(valid(await lk.validateApiKey(apiKeyToken)).apiKey).not.toHaveProperty('scopes');
    await expect(lk.createApiKey({ scopes: ['projects:read'] })).rejects.toMatchObject({
      fields: { scopes: ['"projects:read" is not a scope of this product'] },
    });
  });

  it('refuses a bad declaration when it is made', () => {
    expect(() => new ScopeCatalog([{ name: 'has space' }])).toThrow(/not a valid scope name/);
    expect(() => new ScopeCatalog([{ name: 'a' }, { name: 'a' }])).toThrow(/declared twice/);
    expect(() => new ScopeCatalog({ scopes: [{ name: 'a' }], defaultScopes: ['b'] })).toThrow(
      /defaultScopes: "b"/,
    );
  });

  it('refuses a route requirement naming an undeclared scope when the route is set up', async () => {
    lk = await makeLatchkey({ scopes: SCOPES });
    expect(() => lk.requireApiKey({ scopes: ['projects:typo'] })).toThrow(/projects:typo/);
    expect(() => lk.requireApiKey({ anyScope: ['projects:read'] })).not.toThrow();
  });
});
