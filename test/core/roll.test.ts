import { makeLatchkey } from '../support/harness';

const reasonOf = (v: { valid: boolean; reason?: string }) => (v.valid ? 'valid' : v.reason);

describe('rolling a key', () => {
  it('keeps the id, metadata and quota; the old token validates until its grace period ends', async () => {
    const lk = await makeLatchkey();
    const made = await lk.createApiKey({ metadata: { plan: 'pro' }, remaining: 100 });
    expect(reasonOf(await lk.validateApiKey(made.apiKeyToken))).toBe('valid');
    const rolled = await lk.rollApiKey(made.apiKeyId, { expireOldInSeconds: 60 });
    expect(rolled.apiKeyId).toBe(made.apiKeyId);
    expect(rolled.key).toMatchObject({ metadata: { plan: 'pro' }, hint: expect.any(String) });
    expect(rolled.key.previousDigestExpiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(rolled.key).not.toHaveProperty('previousDigest');
    const old = await lk.validateApiKey(made.apiKeyToken);
    expect(old.valid && old.apiKey.apiKeyId).toBe(made.apiKeyId);
    expect(reasonOf(await lk.validateApiKey(rolled.apiKeyToken))).toBe('valid');
    const events = await lk.listAuditEvents({ action: 'key.rolled' });
    expect(events.items.map((e) => e.targetId)).toEqual([made.apiKeyId]);
    await lk.close();
  });

  it('ends the old token at once with no grace period, failing it as expired', async () => {
    const lk = await makeLatchkey();
    const made = await lk.createApiKey({});
    // Cached as valid first: the roll must drop that verdict.
    expect(reasonOf(await lk.validateApiKey(made.apiKeyToken))).toBe('valid');
    const rolled = await lk.rollApiKey(made.apiKeyId);
    expect(reasonOf(await lk.validateApiKey(made.apiKeyToken))).toBe('expired');
    expect(reasonOf(await lk.validateApiKey(rolled.apiKeyToken))).toBe('valid');
    await lk.close();
  });

  it('refuses an archived key, an imported key and a grace period over 30 days', async () => {
    const lk = await makeLatchkey();
    const made = await lk.createApiKey({});
    await expect(
      lk.rollApiKey(made.apiKeyId, { expireOldInSeconds: 31 * 86_400 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    const imported = await lk.importApiKey({ token: 'sk_live_abcdefghijklmnopqrstuvwxyz' });
    await expect(lk.rollApiKey(imported.id)).rejects.toMatchObject({ code: 'conflict' });
    await lk.archiveApiKey(made.apiKeyId);
    await expect(lk.rollApiKey(made.apiKeyId)).rejects.toMatchObject({ code: 'conflict' });
    await lk.close();
  });
});
