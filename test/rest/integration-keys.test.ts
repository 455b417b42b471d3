import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { digestToken, parseToken } from '../../src/core/token';
import { makeLatchkey } from '../support/harness';

describe('integration keys', () => {
  it('creates a checksummed lki_ token, shown once, and stores only its digest', async () => {
    const lk = await makeLatchkey();
    const { token, key } = await lk.createIntegrationKey('billing service');
    expect(token).toMatch(/^lki_[0-9A-Za-z]{49}$/);
    expect(parseToken(token)).toBe(token);
    const [stored] = await lk.store.listIntegrationKeys();
    expect(stored?.digest).toBe(digestToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(key).not.toHaveProperty('digest');
    expect(await lk.listIntegrationKeys()).toEqual([
      expect.objectContaining({
        id: key.id,
        name: 'billing service',
        hint: expect.stringMatching(/^lki_…/),
      }),
    ]);
    await lk.close();
  });

  it('authenticates an active key with or without "Bearer " and records when it was used', async () => {
    const lk = await makeLatchkey();
    const { token, key } = await lk.createIntegrationKey('svc');
    expect((await lk.authenticateIntegrationKey(`Bearer ${token}`))?.id).toBe(key.id);
    expect((await lk.authenticateIntegrationKey(token))?.id).toBe(key.id);
    await new Promise((r) => setImmediate(r));
    expect((await lk.store.listIntegrationKeys())[0]?.lastUsedAt).not.toBeNull();
    await lk.close();
  });

  it('refuses archived, mistyped and API-key tokens', async () => {
    const lk = await makeLatchkey();
    const { token, key } = await lk.createIntegrationKey('svc');
    const apiKey = await lk.createApiKey({});
    expect(await lk.authenticateIntegrationKey(apiKey.apiKeyToken)).toBeNull();
    expect(
      await lk.authenticateIntegrationKey(
        `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`,
      ),
    ).toBeNull();
    expect(await lk.authenticateIntegrationKey(undefined)).toBeNull();
    expect(await lk.authenticateIntegrationKey(token)).not.toBeNull();
    await lk.archiveIntegrationKey(key.id);
    expect(await lk.authenticateIntegrationKey(token)).toBeNull();
    await expect(lk.archiveIntegrationKey(key.id)).rejects.toMatchObject({ status: 404 });
    await lk.close();
  });

  it('admits a cached key in the same tick, without reading the store', async () => {
    const lk = await makeLatchkey();
    const { token, key } = await lk.createIntegrationKey('svc');
    const first = lk.integrationKeys.authenticateInline(`Bearer ${token}`);
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.id).toBe(key.id);
    const reads = jest.spyOn(lk.store, 'findIntegrationKeyByDigest');
    const again = lk.integrationKeys.authenticateInline(`Bearer ${token}`);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toEqual(await first);
    expect(reads).not.toHaveBeenCalled();
    expect(lk.integrationKeys.authenticateInline('Bearer lki_nonsense')).toBeNull();
    await lk.close();
  });

  it('sees an archive made by another process once the cached lookup is older than its TTL', async () => {
    const lk = await makeLatchkey({ cacheTtlMs: 50 });
    const { token, key } = await lk.createIntegrationKey('svc');
    expect((await lk.authenticateIntegrationKey(token))?.id).toBe(key.id);
    // Straight to the store: this process is not told.
    await lk.store.archiveIntegrationKey(key.id, 1);
    expect((await lk.authenticateIntegrationKey(token))?.id).toBe(key.id);
    await new Promise((r) => setTimeout(r, 80));
    expect(await lk.authenticateIntegrationKey(token)).toBeNull();
    await lk.close();
  });

  it('does not cache a lookup that an archive overlapped', async () => {
    const lk = await makeLatchkey();
    const { token, key } = await lk.createIntegrationKey('svc');
    const stale = await lk.store.findIntegrationKeyByDigest(digestToken(token));
    let release = () => {};
    jest
      .spyOn(lk.store, 'findIntegrationKeyByDigest')
      .mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(stale))));
    const during = lk.authenticateIntegrationKey(token);
    await lk.archiveIntegrationKey(key.id);
    release();
    // The read began before the archive: it may answer once, but it must not stick.
    expect((await during)?.id).toBe(key.id);
    expect(await lk.authenticateIntegrationKey(token)).toBeNull();
    await lk.close();
  });

  it('requires a name', async () => {
    const lk = await makeLatchkey();
    await expect(lk.createIntegrationKey('  ')).rejects.toMatchObject({
      fields: { name: ['must not be empty'] },
    });
    await lk.close();
  });
});

describe('CLI integration-key commands', () => {
  async function cli(databasePath: string, args: string[]): Promise<{ code: number; out: string }> {
    const previous = process.env.DATABASE_PATH;
    process.env.DATABASE_PATH = databasePath;
    const out: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
    try {
      return { code: await runCli(args), out: out.join('') };
    } finally {
      write.mockRestore();
      process.env.DATABASE_PATH = previous;
    }
  }

  it('creates a key printed once as JSON, lists it without the secret, and revokes it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-cli-'));
    const databasePath = path.join(dir, 'latchkey.db');
    const created = await cli(databasePath, ['create-integration-key', '--name', 'ci', '--json']);
    expect(created.code).toBe(0);
    const printed = JSON.parse(created.out) as {
      integrationKey: string;
      integrationKeyId: string;
      name: string;
    };
    expect(printed.name).toBe('ci');

    const lk = await makeLatchkey({ databasePath });
    expect(await lk.authenticateIntegrationKey(printed.integrationKey)).not.toBeNull();
    await lk.close();

    const listed = await cli(databasePath, ['list-integration-keys', '--json']);
    expect(listed.out).toContain(printed.integrationKeyId);
    expect(listed.out).not.toContain(printed.integrationKey);

    const revoked = await cli(databasePath, [
      'revoke-integration-key',
      '--id',
      printed.integrationKeyId,
      '--json',
    ]);
    expect(revoked.code).toBe(0);
    const again = await makeLatchkey({ databasePath });
    expect(await again.authenticateIntegrationKey(printed.integrationKey)).toBeNull();
    await again.close();
  });
});
