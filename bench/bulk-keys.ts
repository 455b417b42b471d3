import { randomBytes } from 'node:crypto';
import { NO_QUOTA_OR_ROLL, type ApiKey } from '../src/core/types';
import { digestToken, generateToken, newKeyId, tokenHint } from '../src/core/token';
import type { SqliteStore } from '../src/store/sqlite';
import { keyToRow } from '../src/store/sqlite/rows';

/**
 * Bench-only: inserts many keys in one transaction with one prepared statement,
 * bypassing the per-key checks of createApiKey (limits, audit) that a bulk load does not need.
 */
export function insertKeysInBulk(store: SqliteStore, keys: Iterable<ApiKey>): number {
  // This connection only loads a throwaway file: a big cache and no fsync make that fast.
  store.db.pragma('cache_size = -1000000');
  store.db.pragma('synchronous = OFF');
  const insert = store.db.prepare(`INSERT INTO api_keys (id, digest, kind, user_id, org_id,
    display_name, hint, metadata, expires_at, created_at, last_used_at, archived_at, imported,
    created_by, rate_limit) VALUES (@id, @digest, @kind, @user_id, @org_id, @display_name, @hint,
    @metadata, @expires_at, @created_at, @last_used_at, @archived_at, @imported, @created_by,
    @rate_limit)`);
  return store.db.transaction(() => {
    let count = 0;
    for (const key of keys) {
      insert.run(keyToRow(key));
      count++;
    }
    return count;
  })();
}

/**
 * `count` personal keys of one user. Every `count / sampleSize`-th key gets a real
 * token, handed to `onSample`, so the sampled keys are spread evenly through the
 * table; the rest get random digests, which the store cannot tell apart from real ones.
 */
export function* personalKeys(
  count: number,
  sampleSize: number,
  userId: string,
  prefix: string,
  onSample: (token: string) => void,
): Generator<ApiKey> {
  const every = Math.max(1, Math.floor(count / sampleSize));
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const sampled = i % every === 0 && i / every < sampleSize;
    const token = sampled ? generateToken(prefix) : null;
    if (token) onSample(token);
    yield {
      id: newKeyId(),
      digest: token ? digestToken(token) : randomBytes(32).toString('hex'),
      kind: 'personal',
      userId,
      orgId: null,
      displayName: `bench key ${i}`,
      hint: token ? tokenHint(token) : `${prefix}_…${i % 10_000}`,
      metadata: { plan: 'bench', index: i },
      expiresAt: null,
      createdAt: now,
      lastUsedAt: null,
      archivedAt: null,
      imported: false,
      createdBy: 'library',
      rateLimit: null,
      scopes: null,
      allowedIps: null,
      ...NO_QUOTA_OR_ROLL,
    };
  }
}
