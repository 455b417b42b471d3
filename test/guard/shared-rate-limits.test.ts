import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteRateLimits } from '../../src/store/shared-rate-limits';
import type { SqliteStore } from '../../src/store/sqlite';
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-busy-limits-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const DAYS_31 = 31 * 86_400;

  /** Another process holding the write lock: the shared count answers SQLITE_BUSY. */
  function lockedBy(file: string) {
    const other = new Database(file, { timeout: 0 });
    other.exec('BEGIN EXCLUSIVE');
    return () => {
      other.exec('COMMIT');
      other.close();
    };
  }

  it('counts in this process meanwhile, says so once, and shares the count again after', async () => {
    const file = path.join(dir, 'busy.db');
    const db = new Database(file, { timeout: 0 });
    db.pragma('journal_mode = WAL');
    const events: string[] = [];
    const limiter = sqliteRateLimits(db, {
      failing: (err) => events.push(`failing ${(err as { code?: string }).code}`),
      recovered: () => events.push('recovered'),
    }).limiter('key', { limit: 1, periodSeconds: DAYS_31 });
    const unlock = lockedBy(file);
    await expect(limiter.consume('k')).resolves.toBeNull();
    // Let any timer run: one armed for longer than 24.8 days fires after 1 ms instead.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(limiter.consume('k')).resolves.toBe(DAYS_31);
    await expect(limiter.consume('other')).resolves.toBeNull();
    expect(events).toEqual(['failing SQLITE_BUSY']);
    unlock();
    // The store's own count starts afresh: its first count passes, its second does not.
    await expect(limiter.consume('k')).resolves.toBeNull();
    await expect(limiter.consume('k')).resolves.toBe(DAYS_31);
    expect(events).toEqual(['failing SQLITE_BUSY', 'recovered']);
    db.close();
  });

  it('is logged when the store stops and starts answering', async () => {
    const file = path.join(dir, 'logged.db');
    const lk = await makeLatchkey({ databasePath: file, rateLimitBackend: 'store' });
    (lk.store as SqliteStore).db.pragma('busy_timeout = 0');
    const user = await lk.createUser({ email: 'busy@example.com' });
    await lk.updateSettings({ userRateLimit: { limit: 5, periodSeconds: 60 } });
    const { apiKeyToken } = await lk.createApiKey({ userId: user.id });
    const unlock = lockedBy(file);
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(lk.logs.text).toMatch(/"level":50.*shared rate-limit counts unavailable/);
    unlock();
    expect((await lk.validateApiKey(apiKeyToken)).valid).toBe(true);
    expect(lk.logs.text).toContain('shared rate-limit counts available again');
    await lk.close();
  });
});
