import type { ApiKey } from '../../core/types';
import type {
  InsertKeyResult,
  KeyFilter,
  KeyForValidation,
  KeyPatch,
  KeyRecords,
} from '../../core/store';
import { insertEventsNow } from './event-records';
import { KeyForValidationReader } from './key-for-validation';
import { sqliteKeyQuota } from './key-quota';
import { keyFromRow, keyToRow } from './rows';
import { likeEscape, likePrefix, paged, unlessTaken, type Params, type Sql } from './sql';

/** KeyRecords with the validation read also answered synchronously. */
export interface SqliteKeyRecords extends KeyRecords {
  findKeyForValidationSync(digest: string): KeyForValidation | null;
  validationRevisionSync(): number;
}

const activeKeys = (owner: 'user_id' | 'org_id', kind: 'personal' | 'org') =>
  `SELECT COUNT(*) FROM api_keys WHERE kind = '${kind}' AND ${owner} = ?
    AND archived_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`;

function keyStatements(sql: Sql) {
  return {
    keyById: sql.rows('SELECT * FROM api_keys WHERE id = ?'),
    keyByDigest: sql.rows('SELECT * FROM api_keys WHERE digest = ?'),
    insertKey: sql.write(`INSERT INTO api_keys (id, digest, kind, user_id, org_id, display_name,
      hint, metadata, expires_at, created_at, last_used_at, archived_at, imported, created_by,
      rate_limit, scopes, allowed_ips, remaining, refill, refilled_at, previous_digest,
      previous_digest_expires_at) VALUES (@id, @digest, @kind, @user_id, @org_id,
      @display_name, @hint, @metadata, @expires_at, @created_at, @last_used_at, @archived_at,
      @imported, @created_by, @rate_limit, @scopes, @allowed_ips, @remaining, @refill,
      @refilled_at, @previous_digest, @previous_digest_expires_at)`),
    /** Moved by the triggers of schema steps 5 and 8 (migrations.ts). */
    validationRevision: sql.value<number>('SELECT value FROM validation_revision WHERE id = 1'),
    userExists: sql.value<1>('SELECT 1 FROM users WHERE id = ?'),
    orgExists: sql.value<1>('SELECT 1 FROM orgs WHERE id = ?'),
    memberExists: sql.value<1>('SELECT 1 FROM memberships WHERE user_id = ? AND org_id = ?'),
    activePersonalKeys: sql.value<number>(activeKeys('user_id', 'personal')),
    activeOrgKeys: sql.value<number>(activeKeys('org_id', 'org')),
    archiveKey: sql.rows(
      'UPDATE api_keys SET archived_at = ? WHERE id = ? AND archived_at IS NULL RETURNING *',
    ),
    countKeys: (where: string) => sql.value<number>(`SELECT COUNT(*) FROM api_keys ${where}`),
    updateKey: (sets: string[]) =>
      sql.rows(
        `UPDATE api_keys SET ${sets.join(', ')} WHERE id = ? AND archived_at IS NULL RETURNING *`,
      ),
  };
}

function keyWhere(f: KeyFilter): { sql: string; params: Params } {
  const clauses: string[] = [];
  const params: Params = [];
  if (f.archived === true || f.state === 'archived') clauses.push('archived_at IS NOT NULL');
  if (f.archived === false) clauses.push('archived_at IS NULL');
  if (f.state === 'current') {
    clauses.push('archived_at IS NULL AND (expires_at IS NULL OR expires_at > ?)');
    params.push(f.now);
  }
  if (f.state === 'expired') {
    clauses.push('archived_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?');
    params.push(f.now);
  }
  if (f.kind) {
    clauses.push('kind = ?');
    params.push(f.kind);
  }
  if (f.userId) {
    clauses.push('user_id = ?');
    params.push(f.userId);
  }
  if (f.orgId) {
    clauses.push('org_id = ?');
    params.push(f.orgId);
  }
  if (f.search) {
    clauses.push(
      "(id LIKE ? ESCAPE '\\' OR hint LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')",
    );
    const like = likeEscape(f.search);
    params.push(likePrefix(f.search), like, like);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const QUOTA_COLUMNS = [
  ['remaining', 'remaining'],
  ['refill', 'refill'],
  ['refilledAt', 'refilled_at'],
] as const;

/** The columns a patch sets, with their values, in a fixed order. */
function keyPatchColumns(patch: KeyPatch): { sets: string[]; params: Params } {
  const sets: string[] = [];
  const params: Params = [];
  if (patch.displayName !== undefined) {
    sets.push('display_name = ?');
    params.push(patch.displayName);
  }
  if (patch.expiresAt !== undefined) {
    sets.push('expires_at = ?');
    params.push(patch.expiresAt);
  }
  if (patch.metadata !== undefined) {
    sets.push('metadata = ?');
    params.push(JSON.stringify(patch.metadata));
  }
  if (patch.rateLimit !== undefined) {
    sets.push('rate_limit = ?');
    params.push(patch.rateLimit ? JSON.stringify(patch.rateLimit) : null);
  }
  if (patch.scopes !== undefined) {
    sets.push('scopes = ?');
    params.push(patch.scopes === null ? null : JSON.stringify(patch.scopes));
  }
  if (patch.allowedIps !== undefined) {
    sets.push('allowed_ips = ?');
    params.push(patch.allowedIps === null ? null : JSON.stringify(patch.allowedIps));
  }
  for (const [field, column] of QUOTA_COLUMNS) {
    const value = patch[field];
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
  }
  return { sets, params };
}

export function sqliteKeyRecords(sql: Sql): SqliteKeyRecords {
  const s = keyStatements(sql);
  /** The one read every uncached validation makes. */
  const keyForValidation = new KeyForValidationReader(sql);

  /** The key's user, org and (for an org key made by a user) membership are all still there. */
  const ownerExists = ({ userId, orgId }: ApiKey): boolean => {
    if (userId !== null && s.userExists.get(userId) === undefined) return false;
    if (orgId === null) return true;
    if (s.orgExists.get(orgId) === undefined) return false;
    return userId === null || s.memberExists.get(userId, orgId) !== undefined;
  };

  const findKeyById = async (id: string): Promise<ApiKey | null> => {
    const row = s.keyById.get(id);
    return row ? keyFromRow(row) : null;
  };

  return {
    insertKey: async (key, maxActive, now, events) =>
      // better-sqlite3 transactions are synchronous, so check-then-insert cannot interleave.
      sql
        .transaction((): InsertKeyResult => {
          if (!ownerExists(key)) return 'owner_gone';
          if (maxActive > 0 && key.kind !== 'generic') {
            const count =
              key.kind === 'personal'
                ? s.activePersonalKeys.get(key.userId, now)
                : s.activeOrgKeys.get(key.orgId, now);
            if (Number(count) >= maxActive) return 'limit_reached';
          }
          return unlessTaken(() => {
            s.insertKey.run(keyToRow(key));
            insertEventsNow(sql, events);
            return 'inserted' as const;
          }, 'duplicate');
        })
        .immediate(),

    findKeyById,

    findKeyByDigest: async (digest) => {
      const row = s.keyByDigest.get(digest);
      return row ? keyFromRow(row) : null;
    },

    findKeyForValidation: async (digest) => keyForValidation.get(digest),

    findKeyForValidationSync: (digest) => keyForValidation.get(digest),

    validationRevisionSync: () => Number(s.validationRevision.get()),

    listKeys: async (filter, page) => {
      const { sql: where, params } = keyWhere(filter);
      // rowid grows with each insert: keys made in the same second list newest first too.
      return paged(sql, 'api_keys', where, params, 'created_at DESC, rowid DESC', page, keyFromRow);
    },

    countKeys: async (filter) => {
      const { sql: where, params } = keyWhere(filter);
      return Number(s.countKeys(where).get(...params));
    },

    updateKey: async (id, patch, events) => {
      const { sets, params } = keyPatchColumns(patch);
      if (sets.length === 0) {
        const key = await findKeyById(id);
        return key && key.archivedAt === null ? key : null;
      }
      return sql.transaction(() => {
        const row = s.updateKey(sets).get(...params, id);
        if (row) insertEventsNow(sql, events);
        return row ? keyFromRow(row) : null;
      })();
    },

    archiveKey: async (id, now, events) =>
      sql.transaction(() => {
        const row = s.archiveKey.get(now, id);
        if (row) insertEventsNow(sql, events);
        return row ? keyFromRow(row) : null;
      })(),

    ...sqliteKeyQuota(sql),
  };
}
