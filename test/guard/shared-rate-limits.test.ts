import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
