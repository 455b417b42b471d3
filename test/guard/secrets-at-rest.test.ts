import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { digestToken } from '../../src/core/token';
import { makeLatchkey } from '../support/harness';
import { spyOnValidationReads } from '../support/world';

describe('tokens at rest and on the wire', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-at-rest-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores only the SHA-256 digest: the token appears nowhere in the database files', async () => {
    const file = path.join(dir, 'at-rest.db');
    const lk = await makeLatchkey({ databasePath: file });
    const user = await lk.createUser({ email: 'at-rest@example.com' });
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    await lk.close();
    const bytes = fs
      .readdirSync(dir)
      .map((name) => fs.readFileSync(path.join(dir, name)).toString('latin1'))
      .join('');
    expect(bytes).toContain(digestToken(apiKeyToken));
    expect(bytes).not.toContain(apiKeyToken);
    expect(bytes).not.toContain(apiKeyToken.slice(3, 40)); // nor any long piece of the secret
  });

  it('rejects a mistyped or made-up token by its checksum, without a store read', async () => {
    const lk = await makeLatchkey();
    const { apiKeyToken } = await lk.createApiKey({});
    const reads = spyOnValidationReads(lk.store);
    const last = apiKeyToken.at(-10)!;
    const typo = `${apiKeyToken.slice(0, -10)}${last === 'a' ? 'b' : 'a'}${apiKeyToken.slice(-9)}`;
    for (const bad of [typo, `${apiKeyToken}x`, 'lk_' + 'A'.repeat(49), 'Bearer nonsense', '']) {
      expect(await lk.validateApiKey(bad)).toMatchObject({ valid: false, reason: 'malformed' });
    }
    expect(reads.count()).toBe(0);
    // The spy sees reads: the right token costs one.
    await lk.validateApiKey(apiKeyToken);
    expect(reads.count()).toBe(1);
    await lk.close();
  });

  it('makes tokens of a scannable prefix and 256 random bits, never the same twice', async () => {
    const lk = await makeLatchkey();
    await lk.updateSettings({ tokenPrefix: 'acme' });
    const tokens = new Set<string>();
    for (let i = 0; i < 200; i++) tokens.add((await lk.createApiKey({})).apiKeyToken);
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^acme_[0-9A-Za-z]{49}$/);
    await lk.close();
  });
});
