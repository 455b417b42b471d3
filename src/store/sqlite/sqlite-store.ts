import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {
  Admin,
  ApiKey,
  AuditEvent,
  IntegrationKey,
  Membership,
  Org,
  Settings,
  User,
} from '../../core/types';
import { DEFAULT_SETTINGS } from '../../core/types';
import type {
  InsertKeyResult,
  KeyFilter,
  KeyForValidation,
  KeyPatch,
  OrgPatch,
  Page,
  Paged,
  SessionRecord,
  Store,
  UsageFilter,
  UserPatch,
} from '../../core/store';
import { KeyForValidationReader } from './key-for-validation';
import { migrate } from './migrations';
import { RowReader } from './row-reader';
import {
  adminFromRow,
  auditFromRow,
  integrationKeyFromRow,
  keyFromRow,
  keyToRow,
  membershipFromRow,
  orgFromRow,
  orgToRow,
  userFromRow,
  userToRow,
} from './rows';

type Row = Record<string, unknown>;
type Params = unknown[];

const likeEscape = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
// Not `instanceof Error`: the native module's errors come from the realm that first loaded it
// (under jest, another test file's), so only the code is reliable.
const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(
    String((e as { code?: string }).code),
  );

/** Longest id list whose prepared statement is kept (users rarely belong to more orgs). */
const MAX_CACHED_LIST_LENGTH = 64;

/** Address space, not memory: the OS pages in only what lookups touch. */
const MMAP_BYTES = 1024 * 1024 * 1024;

/** Opens (creating if needed) an SQLite database file, or ':memory:'. */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Key lookups read the file through a memory map instead of a read() per page
  // that misses SQLite's cache: with a million keys that miss is most lookups.
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
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
    params.push(`${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, like, like);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function usageWhere(f: UsageFilter): { join: string; sql: string; params: Params } {
  const clauses: string[] = [];
  const params: Params = [];
  if (f.keyId) {
    clauses.push('u.key_id = ?');
    params.push(f.keyId);
  }
  if (f.userId) {
    clauses.push('k.user_id = ?');
    params.push(f.userId);
  }
  if (f.orgId) {
    clauses.push('k.org_id = ?');
    params.push(f.orgId);
  }
  const join = f.userId || f.orgId ? 'JOIN api_keys k ON k.id = u.key_id' : '';
  return { join, sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly stmt: Record<string, Database.Statement>;
  private readonly orgsByIds = new Map<number, RowReader>();
  private readonly hot: Record<'keyByDigest' | 'userById' | 'membershipsOfUser', RowReader>;
  /** The one read every uncached validation makes. */
  private readonly keyForValidation: KeyForValidationReader;

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.stmt = {
      userById: p('SELECT * FROM users WHERE id = ?'),
      userByEmail: p('SELECT * FROM users WHERE email_lower = ?'),
      orgById: p('SELECT * FROM orgs WHERE id = ?'),
      keyById: p('SELECT * FROM api_keys WHERE id = ?'),
      membership: p('SELECT * FROM memberships WHERE user_id = ? AND org_id = ?'),
      insertKey:
        p(`INSERT INTO api_keys (id, digest, kind, user_id, org_id, display_name, hint, metadata,
        expires_at, created_at, last_used_at, archived_at, imported, created_by, rate_limit) VALUES (@id,
        @digest, @kind, @user_id, @org_id, @display_name, @hint, @metadata, @expires_at, @created_at,
        @last_used_at, @archived_at, @imported, @created_by, @rate_limit)`),
      userExists: p('SELECT 1 FROM users WHERE id = ?'),
      orgExists: p('SELECT 1 FROM orgs WHERE id = ?'),
      activePersonal: p(`SELECT COUNT(*) FROM api_keys WHERE kind = 'personal' AND user_id = ?
        AND archived_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`),
      activeOrg: p(`SELECT COUNT(*) FROM api_keys WHERE kind = 'org' AND org_id = ?
        AND archived_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`),
      archiveKey: p(
        'UPDATE api_keys SET archived_at = ? WHERE id = ? AND archived_at IS NULL RETURNING *',
      ),
      addUsage: p(`INSERT INTO key_usage (key_id, day, count) VALUES (?, ?, ?)
        ON CONFLICT (key_id, day) DO UPDATE SET count = count + excluded.count`),
      touchKey: p(
        'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
      ),
      getSettings: p('SELECT data FROM settings WHERE id = 1'),
      saveSettings: p(
        'INSERT INTO settings (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
      ),
      getSession: p('SELECT data, expires_at FROM sessions WHERE sid = ? AND expires_at > ?'),
      setSession: p(`INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
        ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`),
    };
    this.hot = {
      keyByDigest: new RowReader(p('SELECT * FROM api_keys WHERE digest = ?')),
      userById: new RowReader(p('SELECT * FROM users WHERE id = ?')),
      membershipsOfUser: new RowReader(
        p('SELECT * FROM memberships WHERE user_id = ? ORDER BY joined_at, org_id'),
      ),
    };
    this.keyForValidation = new KeyForValidationReader(db);
  }

  private all(sql: string, params: Params = []): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  private get(sql: string, params: Params = []): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  private paged<T>(
    base: string,
    where: string,
    params: Params,
    order: string,
    page: Page,
    map: (r: Row) => T,
  ): Paged<T> {
    const total = Number(
      this.db
        .prepare(`SELECT COUNT(*) FROM ${base} ${where}`)
        .pluck()
        .get(...params),
    );
    const items = this.all(`SELECT * FROM ${base} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [
      ...params,
      page.limit,
      page.offset,
    ]).map(map);
    return { items, total };
  }

  // Users ------------------------------------------------------------------

  async insertUser(user: User): Promise<boolean> {
    try {
      const row = userToRow(user);
      const cols = Object.keys(row);
      this.db
        .prepare(
          `INSERT INTO users (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
        )
        .run(row);
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async findUserById(id: string): Promise<User | null> {
    const row = this.hot.userById.get(id);
    return row ? userFromRow(row) : null;
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const row = this.stmt.userByEmail!.get(email.toLowerCase()) as Row | undefined;
    return row ? userFromRow(row) : null;
  }

  async listUsers(filter: { emailContains?: string }, page: Page): Promise<Paged<User>> {
    const where = filter.emailContains ? "WHERE email_lower LIKE ? ESCAPE '\\'" : '';
    const params = filter.emailContains ? [likeEscape(filter.emailContains.toLowerCase())] : [];
    return this.paged('users', where, params, 'created_at, id', page, userFromRow);
  }

  async updateUser(id: string, patch: UserPatch): Promise<User | null | 'email_taken'> {
    // Read and write in one synchronous transaction so concurrent patches cannot interleave.
    return this.db.transaction((): User | null | 'email_taken' => {
      const found = this.stmt.userById!.get(id) as Row | undefined;
      if (!found) return null;
      const next: User = { ...userFromRow(found), ...patch, id };
      const row = userToRow(next);
      const cols = Object.keys(row).filter((c) => c !== 'id');
      try {
        this.db
          .prepare(`UPDATE users SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`)
          .run(row);
      } catch (e) {
        if (isUniqueViolation(e)) return 'email_taken';
        throw e;
      }
      return next;
    })();
  }

  async deleteUserAndArchiveKeys(
    id: string,
    now: number,
    archiveCreatedOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    return this.db.transaction(() => {
      const deleted = this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes;
      if (!deleted) return null;
      this.db.prepare('DELETE FROM memberships WHERE user_id = ?').run(id);
      const kinds = archiveCreatedOrgKeys ? "kind IN ('personal', 'org')" : "kind = 'personal'";
      const archived = this.db
        .prepare(
          `UPDATE api_keys SET archived_at = ? WHERE user_id = ? AND ${kinds} AND archived_at IS NULL RETURNING id`,
        )
        .pluck()
        .all(now, id) as string[];
      return { archivedKeyIds: archived };
    })();
  }

  // Orgs -------------------------------------------------------------------

  async insertOrg(org: Org): Promise<boolean> {
    try {
      this.db
        .prepare(
          'INSERT INTO orgs (id, name, url_safe_name, metadata, created_at) VALUES (@id, @name, @url_safe_name, @metadata, @created_at)',
        )
        .run(orgToRow(org));
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async findOrgById(id: string): Promise<Org | null> {
    const row = this.stmt.orgById!.get(id) as Row | undefined;
    return row ? orgFromRow(row) : null;
  }

  async findOrgsByIds(ids: string[]): Promise<Org[]> {
    if (ids.length === 0) return [];
    return this.orgsByIdsReader(ids.length)
      .all(...ids)
      .map(orgFromRow);
  }

  /** Validation asks for a user's orgs on every uncached request: prepare once per list length. */
  private orgsByIdsReader(count: number): RowReader {
    let reader = this.orgsByIds.get(count);
    if (!reader) {
      const sql = `SELECT * FROM orgs WHERE id IN (${Array(count).fill('?').join(', ')})`;
      reader = new RowReader(this.db.prepare(sql));
      if (count <= MAX_CACHED_LIST_LENGTH) this.orgsByIds.set(count, reader);
    }
    return reader;
  }

  async listOrgs(filter: { nameContains?: string }, page: Page): Promise<Paged<Org>> {
    const where = filter.nameContains ? "WHERE name LIKE ? ESCAPE '\\'" : '';
    const params = filter.nameContains ? [likeEscape(filter.nameContains)] : [];
    return this.paged('orgs', where, params, 'created_at, id', page, orgFromRow);
  }

  async updateOrg(id: string, patch: OrgPatch): Promise<Org | null | 'name_taken'> {
    return this.db.transaction((): Org | null | 'name_taken' => {
      const found = this.stmt.orgById!.get(id) as Row | undefined;
      if (!found) return null;
      const next: Org = { ...orgFromRow(found), ...patch, id };
      try {
        this.db
          .prepare(
            'UPDATE orgs SET name = @name, url_safe_name = @url_safe_name, metadata = @metadata WHERE id = @id',
          )
          .run(orgToRow(next));
      } catch (e) {
        if (isUniqueViolation(e)) return 'name_taken';
        throw e;
      }
      return next;
    })();
  }

  async deleteOrgAndArchiveKeys(
    id: string,
    now: number,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    return this.db.transaction(() => {
      const deleted = this.db.prepare('DELETE FROM orgs WHERE id = ?').run(id).changes;
      if (!deleted) return null;
      this.db.prepare('DELETE FROM memberships WHERE org_id = ?').run(id);
      const archived = this.db
        .prepare(
          'UPDATE api_keys SET archived_at = ? WHERE org_id = ? AND archived_at IS NULL RETURNING id',
        )
        .pluck()
        .all(now, id) as string[];
      return { archivedKeyIds: archived };
    })();
  }

  // Memberships ------------------------------------------------------------

  async upsertMembership(m: Membership): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO memberships (user_id, org_id, role, joined_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`,
      )
      .run(m.userId, m.orgId, m.role, m.joinedAt);
  }

  async findMembership(userId: string, orgId: string): Promise<Membership | null> {
    const row = this.stmt.membership!.get(userId, orgId) as Row | undefined;
    return row ? membershipFromRow(row) : null;
  }

  async listMembershipsOfUser(userId: string): Promise<Membership[]> {
    return this.hot.membershipsOfUser.all(userId).map(membershipFromRow);
  }

  async listMembershipsOfOrg(orgId: string, page: Page): Promise<Paged<Membership>> {
    return this.paged(
      'memberships',
      'WHERE org_id = ?',
      [orgId],
      'joined_at, user_id',
      page,
      membershipFromRow,
    );
  }

  async removeMemberAndArchiveTheirOrgKeys(
    orgId: string,
    userId: string,
    now: number,
    archiveTheirOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    return this.db.transaction(() => {
      const removed = this.db
        .prepare('DELETE FROM memberships WHERE user_id = ? AND org_id = ?')
        .run(userId, orgId).changes;
      if (!removed) return null;
      if (!archiveTheirOrgKeys) return { archivedKeyIds: [] };
      const archived = this.db
        .prepare(
          "UPDATE api_keys SET archived_at = ? WHERE kind = 'org' AND org_id = ? AND user_id = ? AND archived_at IS NULL RETURNING id",
        )
        .pluck()
        .all(now, orgId, userId) as string[];
      return { archivedKeyIds: archived };
    })();
  }

  // API keys ---------------------------------------------------------------

  async insertKey(key: ApiKey, maxActive: number, now: number): Promise<InsertKeyResult> {
    // better-sqlite3 transactions are synchronous, so check-then-insert cannot interleave.
    return this.db
      .transaction((): InsertKeyResult => {
        if (!this.ownerExists(key)) return 'owner_gone';
        if (maxActive > 0 && key.kind !== 'generic') {
          const count =
            key.kind === 'personal'
              ? this.stmt.activePersonal!.pluck().get(key.userId, now)
              : this.stmt.activeOrg!.pluck().get(key.orgId, now);
          if (Number(count) >= maxActive) return 'limit_reached';
        }
        try {
          this.stmt.insertKey!.run(keyToRow(key));
        } catch (e) {
          if (isUniqueViolation(e)) return 'duplicate';
          throw e;
        }
        return 'inserted';
      })
      .immediate();
  }

  /** The key's user, org and (for an org key made by a user) membership are all still there. */
  private ownerExists({ userId, orgId }: ApiKey): boolean {
    const found = (statement: Database.Statement, ...ids: string[]): boolean =>
      statement.get(...ids) !== undefined;
    if (userId !== null && !found(this.stmt.userExists!, userId)) return false;
    if (orgId === null) return true;
    if (!found(this.stmt.orgExists!, orgId)) return false;
    return userId === null || found(this.stmt.membership!, userId, orgId);
  }

  async findKeyById(id: string): Promise<ApiKey | null> {
    const row = this.stmt.keyById!.get(id) as Row | undefined;
    return row ? keyFromRow(row) : null;
  }

  async findKeyByDigest(digest: string): Promise<ApiKey | null> {
    const row = this.hot.keyByDigest.get(digest);
    return row ? keyFromRow(row) : null;
  }

  async findKeyForValidation(digest: string): Promise<KeyForValidation | null> {
    return this.keyForValidation.get(digest);
  }

  findKeyForValidationSync(digest: string): KeyForValidation | null {
    return this.keyForValidation.get(digest);
  }

  async listKeys(filter: KeyFilter, page: Page): Promise<Paged<ApiKey>> {
    const { sql, params } = keyWhere(filter);
    return this.paged('api_keys', sql, params, 'created_at DESC, id', page, keyFromRow);
  }

  async countKeys(filter: KeyFilter): Promise<number> {
    const { sql, params } = keyWhere(filter);
    return Number(
      this.db
        .prepare(`SELECT COUNT(*) FROM api_keys ${sql}`)
        .pluck()
        .get(...params),
    );
  }

  async updateKey(id: string, patch: KeyPatch): Promise<ApiKey | null> {
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
    if (sets.length === 0) {
      const key = await this.findKeyById(id);
      return key && key.archivedAt === null ? key : null;
    }
    const row = this.get(
      `UPDATE api_keys SET ${sets.join(', ')} WHERE id = ? AND archived_at IS NULL RETURNING *`,
      [...params, id],
    );
    return row ? keyFromRow(row) : null;
  }

  async archiveKey(id: string, now: number): Promise<ApiKey | null> {
    const row = this.stmt.archiveKey!.get(now, id) as Row | undefined;
    return row ? keyFromRow(row) : null;
  }

  // Usage ------------------------------------------------------------------

  async recordUsage(
    increments: { keyId: string; day: string; count: number; lastUsedAt: number }[],
  ): Promise<void> {
    this.db.transaction(() => {
      for (const inc of increments) {
        this.stmt.addUsage!.run(inc.keyId, inc.day, inc.count);
        this.stmt.touchKey!.run(inc.lastUsedAt, inc.keyId, inc.lastUsedAt);
      }
    })();
  }

  async countUsage(day: string, filter: UsageFilter): Promise<number> {
    const w = usageWhere(filter);
    const sql = `SELECT COALESCE(SUM(u.count), 0) FROM key_usage u ${w.join} WHERE u.day = ?${w.sql}`;
    return Number(
      this.db
        .prepare(sql)
        .pluck()
        .get(day, ...w.params),
    );
  }

  async usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]> {
    const w = usageWhere(filter);
    const sql = `SELECT u.day AS day, SUM(u.count) AS count FROM key_usage u ${w.join}
      WHERE u.day >= ? AND u.day <= ?${w.sql} GROUP BY u.day ORDER BY u.day`;
    return this.all(sql, [fromDay, toDay, ...w.params]).map((r) => ({
      day: String(r.day),
      count: Number(r.count),
    }));
  }

  // Settings ---------------------------------------------------------------

  async getSettings(): Promise<Settings> {
    const data = this.stmt.getSettings!.pluck().get() as string | undefined;
    return { ...DEFAULT_SETTINGS, ...(data ? (JSON.parse(data) as Partial<Settings>) : {}) };
  }

  async saveSettings(settings: Settings): Promise<void> {
    this.stmt.saveSettings!.run(JSON.stringify(settings));
  }

  // Audit ------------------------------------------------------------------

  async appendAudit(e: AuditEvent): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO audit_events (id, at, actor, action, target_type, target_id, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        e.id,
        e.at,
        e.actor,
        e.action,
        e.targetType,
        e.targetId,
        e.ip,
        JSON.stringify(e.details),
      );
  }

  async listAudit(
    filter: {
      action?: string;
      targetType?: AuditEvent['targetType'];
      targetId?: string;
      actor?: string;
    },
    page: Page,
  ): Promise<Paged<AuditEvent>> {
    const clauses: string[] = [];
    const params: Params = [];
    for (const [col, value] of [
      ['action', filter.action],
      ['target_type', filter.targetType],
      ['target_id', filter.targetId],
      ['actor', filter.actor],
    ] as const) {
      if (value) {
        clauses.push(`${col} = ?`);
        params.push(value);
      }
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return this.paged('audit_events', where, params, 'seq DESC', page, auditFromRow);
  }

  // Admins -----------------------------------------------------------------

  async insertAdmin(a: Admin): Promise<boolean> {
    try {
      this.db
        .prepare(
          'INSERT INTO admins (id, email, email_lower, password_hash, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(a.id, a.email, a.email.toLowerCase(), a.passwordHash, a.createdAt, a.lastLoginAt);
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async findAdminById(id: string): Promise<Admin | null> {
    const row = this.get('SELECT * FROM admins WHERE id = ?', [id]);
    return row ? adminFromRow(row) : null;
  }

  async findAdminByEmail(email: string): Promise<Admin | null> {
    const row = this.get('SELECT * FROM admins WHERE email_lower = ?', [email.toLowerCase()]);
    return row ? adminFromRow(row) : null;
  }

  async listAdmins(): Promise<Admin[]> {
    return this.all('SELECT * FROM admins ORDER BY created_at, id').map(adminFromRow);
  }

  async updateAdmin(
    id: string,
    patch: Partial<Pick<Admin, 'passwordHash' | 'lastLoginAt'>>,
  ): Promise<Admin | null> {
    return this.db.transaction((): Admin | null => {
      const found = this.get('SELECT * FROM admins WHERE id = ?', [id]);
      if (!found) return null;
      const next = { ...adminFromRow(found), ...patch };
      this.db
        .prepare('UPDATE admins SET password_hash = ?, last_login_at = ? WHERE id = ?')
        .run(next.passwordHash, next.lastLoginAt, id);
      return next;
    })();
  }

  async deleteAdmin(id: string): Promise<'deleted' | 'not_found' | 'last_admin'> {
    return this.db
      .transaction((): 'deleted' | 'not_found' | 'last_admin' => {
        if (!this.get('SELECT id FROM admins WHERE id = ?', [id])) return 'not_found';
        if (Number(this.db.prepare('SELECT COUNT(*) FROM admins').pluck().get()) <= 1)
          return 'last_admin';
        this.db.prepare('DELETE FROM admins WHERE id = ?').run(id);
        return 'deleted';
      })
      .immediate();
  }

  async saveSetupToken(token: { digest: string; expiresAt: number }): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO setup_tokens (digest, expires_at) VALUES (?, ?)')
      .run(token.digest, token.expiresAt);
  }

  async consumeSetupToken(digest: string, now: number): Promise<boolean> {
    const row = this.get('DELETE FROM setup_tokens WHERE digest = ? RETURNING expires_at', [
      digest,
    ]);
    return row !== undefined && Number(row.expires_at) > now;
  }

  // Integration keys -------------------------------------------------------

  async insertIntegrationKey(k: IntegrationKey): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO integration_keys (id, digest, name, hint, created_at, last_used_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(k.id, k.digest, k.name, k.hint, k.createdAt, k.lastUsedAt, k.archivedAt);
  }

  async findIntegrationKeyByDigest(digest: string): Promise<IntegrationKey | null> {
    const row = this.get('SELECT * FROM integration_keys WHERE digest = ?', [digest]);
    return row ? integrationKeyFromRow(row) : null;
  }

  async listIntegrationKeys(): Promise<IntegrationKey[]> {
    return this.all('SELECT * FROM integration_keys ORDER BY created_at DESC, id').map(
      integrationKeyFromRow,
    );
  }

  async archiveIntegrationKey(id: string, now: number): Promise<IntegrationKey | null> {
    const row = this.get(
      'UPDATE integration_keys SET archived_at = ? WHERE id = ? AND archived_at IS NULL RETURNING *',
      [now, id],
    );
    return row ? integrationKeyFromRow(row) : null;
  }

  async touchIntegrationKey(id: string, now: number): Promise<void> {
    this.db.prepare('UPDATE integration_keys SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  // Sessions ---------------------------------------------------------------

  async getSession(sid: string, now: number): Promise<SessionRecord | null> {
    const row = this.stmt.getSession!.get(sid, now) as Row | undefined;
    return row ? { data: String(row.data), expiresAt: Number(row.expires_at) } : null;
  }

  async setSession(sid: string, record: SessionRecord): Promise<void> {
    this.stmt.setSession!.run(sid, record.data, record.expiresAt);
  }

  async destroySession(sid: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE sid = ?').run(sid);
  }

  async pruneSessions(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export function createSqliteStore(file: string): SqliteStore {
  return new SqliteStore(openSqliteDatabase(file));
}
