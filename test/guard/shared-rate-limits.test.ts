import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteRateLimits } from '../../src/store/shared-rate-limits';
import { makeLatchkey } from '../support/harness';

/** Two Latchkey instances on one SQLite file stand in for two server processes. */
async function twoProcesses(file: string, backend: 'memory' | 'store') {
  const first = await makeLatchkey({ databasePath: file, rateLimitBackend: backend });
  const user = await first.createUser({ email: `shared-${backend}@example.com` });
  await first.updateSettings({ userRateLimit: { limit: 3, periodSeconds: 60 } });
  const { apiKeyToken } = await first.createApiKey({ userId: user.id });
  const second = await makeLatchkey({ databasePath: file, rateLimitBackend: backend });
  return { first, second, token: apiKeyToken };
}

describe('shared rate-limit backend', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-shared-limits-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts validations from every process against one allowance when kept in the store', async () => {
    const { first, second, token } = await twoProcesses(path.join(dir, 'store.db'), 'store');
    const outcomes = [];
    for (const lk of [first, second, first, second]) outcomes.push(await lk.validateApiKey(token));
    expect(outcomes.map((o) => (o.valid ? 'ok' : o.reason))).toEqual([
      'ok',
      'ok',
      'ok',
      'rate_limited',
    ]);
    await first.close();
    await second.close();
  });

  it('counts per process when kept in memory', async () => {
    const { first, second, token } = await twoProcesses(path.join(dir, 'memory.db'), 'memory');
    const outcomes = [];
    for (const lk of [first, second, first, second]) outcomes.push(await lk.validateApiKey(token));
    expect(outcomes.every((o) => o.valid)).toBe(true);
    await first.close();
    await second.close();
  });
});

describe('a shared backend whose store cannot answer', () => {
  it('counts in each process meanwhile, allowances of up to 31 days included', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const db = new Database(':memory:');
    const limiter = sqliteRateLimits(db).limiter('key', { limit: 1, periodSeconds: 31 * 86_400 });
    db.close();
    try {
      await expect(limiter.consume('k')).resolves.toBeNull();
      // Let any timer run: one armed for longer than 24.8 days fires after 1 ms instead.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(limiter.consume('k')).resolves.toBeGreaterThan(86_400);
      await expect(limiter.consume('other')).resolves.toBeNull();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
