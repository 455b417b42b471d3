import { makeBackend } from '../rest/support';
import { servePropelAuthOrigin, type PropelAuthOrigin } from '../rest/propelauth-origin';

/**
 * The real @propelauth/node client against a server that declares scopes: Latchkey's extra
 * fields (scopes, allowed_ips) leave its calls working.
 */
describe('@propelauth/node with scopes and allowlists declared', () => {
  let backend: Awaited<ReturnType<typeof makeBackend>>;
  let origin: PropelAuthOrigin;

  beforeAll(async () => {
    backend = await makeBackend({
      cacheTtlMs: 0,
      scopes: [{ name: 'projects:read' }, { name: 'projects:write' }],
    });
    origin = await servePropelAuthOrigin(backend.app);
  });

  afterAll(async () => {
    await origin.close();
    await backend.latchkey.close();
  });

  const client = () => origin.client(backend.integrationKey);

  it('creates, fetches, updates and validates keys; new keys get the default scopes', async () => {
    const auth = client();
    const { userId } = await auth.createUser({ email: 'pa@example.com' });
    const created = await auth.createApiKey({ userId, metadata: { a: 1 } });
    const fetched = await auth.fetchApiKey(created.apiKeyId);
    expect(fetched).toMatchObject({ apiKeyId: created.apiKeyId, userId, metadata: { a: 1 } });
    expect((await backend.latchkey.fetchApiKey(created.apiKeyId)).scopes).toEqual([
      'projects:read',
      'projects:write',
    ]);
    expect(await auth.updateApiKey(created.apiKeyId, { metadata: JSON.stringify({ a: 2 }) })).toBe(
      true,
    );
    const validated = await auth.validateApiKey(created.apiKeyToken);
    expect(validated).toMatchObject({ metadata: { a: 2 }, user: { userId } });

    // A key limited to other addresses is refused to a caller that names none.
    const limited = await backend.latchkey.createApiKey({ userId, allowedIps: ['192.0.2.1'] });
    await expect(auth.validateApiKey(limited.apiKeyToken)).rejects.toThrow();
  });
});
