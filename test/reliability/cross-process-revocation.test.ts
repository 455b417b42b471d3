import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeLatchkey } from '../support/harness';

describe('revocation across processes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cross-process-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes effect in the revoking process at once and in others within the cache TTL', async () => {
    const file = path.join(dir, 'shared.db');
    const ttl = 400;
    const revoker = await makeLatchkey({ databasePath: file, cacheTtlMs: ttl });
    const other = await makeLatchkey({ databasePath: file, cacheTtlMs: ttl });
    const { apiKeyId, apiKeyToken } = await revoker.createApiKey({});
    expect((await other.validateApiKey(apiKeyToken)).valid).toBe(true); // now cached there

    await revoker.archiveApiKey(apiKeyId);
    const revokedAt = Date.now();
    expect(await revoker.validateApiKey(apiKeyToken)).toMatchObject({ reason: 'archived' });
    // The documented window: the other process may answer from its cache until the TTL ends.
    while (Date.now() - revokedAt < ttl + 100) {
      const askedAt = Date.now();
      const result = await other.validateApiKey(apiKeyToken);
      if (result.valid) expect(askedAt - revokedAt).toBeLessThanOrEqual(ttl);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await other.validateApiKey(apiKeyToken)).toMatchObject({ reason: 'archived' });
    await revoker.close();
    await other.close();
  });
});
