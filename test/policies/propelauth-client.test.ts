import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initBaseAuth } from '@propelauth/node';
import { makeBackend } from '../rest/support';

/**
 * The real @propelauth/node client against a server that declares scopes: Latchkey's extra
 * fields (scopes, allowed_ips) leave its calls working. Its fixed origin is pointed at the
 * test server by wrapping fetch, as in test/rest/propelauth-compat.test.ts.
 */
const PROPELAUTH_ORIGIN = 'https://propelauth-api.com';

describe('@propelauth/node with scopes and allowlists declared', () => {
  let backend: Awaited<ReturnType<typeof makeBackend>>;
  let server: Server;
  let baseUrl: string;
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    backend = await makeBackend({
      cacheTtlMs: 0,
      scopes: [{ name: 'projects:read' }, { name: 'projects:write' }],
    });
    server = await new Promise<Server>((resolve) => {
      const s = createServer(backend.app).listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    globalThis.fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(PROPELAUTH_ORIGIN)) return realFetch(input, init);
      return realFetch(`${baseUrl}${url.slice(PROPELAUTH_ORIGIN.length)}`, init);
    };
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await backend.latchkey.close();
  });

  const client = () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return initBaseAuth({
      authUrl: baseUrl,
      apiKey: backend.integrationKey,
      manualTokenVerificationMetadata: {
        verifierKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        issuer: baseUrl,
      },
    });
  };

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
