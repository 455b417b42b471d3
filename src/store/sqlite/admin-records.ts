import type { Admin, Settings } from '../../core/types';
import { DEFAULT_SETTINGS } from '../../core/types';
import type { AdminRecords } from '../../core/store';
import type { BrandAsset } from '../../core/branding-images';
import { adminFromRow, auditFromRow, integrationKeyFromRow } from './rows';
import type { Row } from './row-reader';
import { paged, unlessTaken, type Params, type Sql } from './sql';

function adminStatements(sql: Sql) {
  return {
    getSettings: sql.value<string>('SELECT data FROM settings WHERE id = 1'),
    saveSettings: sql.write(
      'INSERT INTO settings (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
    ),

    appendAudit: sql.write(`INSERT INTO audit_events (id, at, actor, action, target_type,
      target_id, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),

    insertAdmin: sql.write(`INSERT INTO admins (id, email, email_lower, password_hash,
      created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)`),
    adminById: sql.rows('SELECT * FROM admins WHERE id = ?'),
    adminByEmail: sql.rows('SELECT * FROM admins WHERE email_lower = ?'),
    admins: sql.rows('SELECT * FROM admins ORDER BY created_at, id'),
    adminCount: sql.value<number>('SELECT COUNT(*) FROM admins'),
    updateAdmin: sql.write('UPDATE admins SET password_hash = ?, last_login_at = ? WHERE id = ?'),
    deleteAdmin: sql.write('DELETE FROM admins WHERE id = ?'),

    saveSetupToken: sql.write(
      'INSERT OR REPLACE INTO setup_tokens (digest, expires_at) VALUES (?, ?)',
    ),
    consumeSetupToken: sql.value<number>(
      'DELETE FROM setup_tokens WHERE digest = ? RETURNING expires_at',
    ),

    insertIntegrationKey: sql.write(`INSERT INTO integration_keys (id, digest, name, hint,
      created_at, last_used_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    integrationKeyByDigest: sql.rows('SELECT * FROM integration_keys WHERE digest = ?'),
    integrationKeys: sql.rows('SELECT * FROM integration_keys ORDER BY created_at DESC, id'),
    archiveIntegrationKey: sql.rows(
      'UPDATE integration_keys SET archived_at = ? WHERE id = ? AND archived_at IS NULL RETURNING *',
    ),
    touchIntegrationKey: sql.write('UPDATE integration_keys SET last_used_at = ? WHERE id = ?'),

    saveBrandAsset: sql.write(
      'INSERT OR REPLACE INTO brand_assets (id, content_type, bytes, created_at) VALUES (?, ?, ?, ?)',
    ),
    brandAsset: sql.rows('SELECT * FROM brand_assets WHERE id = ?'),
  };
}

export function sqliteAdminRecords(sql: Sql): AdminRecords {
  const s = adminStatements(sql);
  return {
    // Settings -------------------------------------------------------------

    getSettings: async () => {
      const data = s.getSettings.get();
      return { ...DEFAULT_SETTINGS, ...(data ? (JSON.parse(data) as Partial<Settings>) : {}) };
    },

    saveSettings: async (settings) => {
      s.saveSettings.run(JSON.stringify(settings));
    },

    // Audit ----------------------------------------------------------------

    appendAudit: async (e) => {
      s.appendAudit.run(
        e.id,
        e.at,
        e.actor,
        e.action,
        e.targetType,
        e.targetId,
        e.ip,
        JSON.stringify(e.details),
      );
    },

    listAudit: async (filter, page) => {
      const clauses: string[] = [];
      const params: Params = [];
      for (const [column, value] of [
        ['action', filter.action],
        ['target_type', filter.targetType],
        ['target_id', filter.targetId],
        ['actor', filter.actor],
      ] as const) {
        if (value) {
          clauses.push(`${column} = ?`);
          params.push(value);
        }
      }
      for (const id of filter.involving ?? []) {
        clauses.push(
          "(target_id = ? OR target_id LIKE ? ESCAPE '\\' OR target_id LIKE ? ESCAPE '\\')",
        );
        const literal = id.replace(/[\\%_]/g, '\\$&');
        params.push(id, `${literal}:%`, `%:${literal}`);
      }
      const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
      return paged(sql, 'audit_events', where, params, 'seq DESC', page, auditFromRow);
    },

    findAuditNames: async (ids) => {
      const read = <T>(table: string, columns: string, list: string[], map: (r: Row) => T) =>
        list.length
          ? sql
              .rows(
                `SELECT ${columns} FROM ${table} WHERE id IN (${list.map(() => '?').join(',')})`,
              )
              .all(...list)
              .map(map)
          : [];
      const unique = (list: string[]) => [...new Set(list)];
      return {
        users: read('users', 'id, email', unique(ids.userIds), (r) => ({
          id: String(r.id),
          email: String(r.email),
        })),
        orgs: read('orgs', 'id, name', unique(ids.orgIds), (r) => ({
          id: String(r.id),
          name: String(r.name),
        })),
        keys: read('api_keys', 'id, display_name, hint', unique(ids.keyIds), (r) => ({
          id: String(r.id),
          displayName: String(r.display_name),
          hint: String(r.hint),
        })),
        admins: read('admins', 'id, email', unique(ids.adminIds), (r) => ({
          id: String(r.id),
          email: String(r.email),
        })),
        integrationKeys: read(
          'integration_keys',
          'id, name',
          unique(ids.integrationKeyIds),
          (r) => ({
            id: String(r.id),
            name: String(r.name),
          }),
        ),
      };
    },

    // Admins ---------------------------------------------------------------

    insertAdmin: async (a) =>
      unlessTaken(() => {
        s.insertAdmin.run(
          a.id,
          a.email,
          a.email.toLowerCase(),
          a.passwordHash,
          a.createdAt,
          a.lastLoginAt,
        );
        return true;
      }, false),

    findAdminById: async (id) => {
      const row = s.adminById.get(id);
      return row ? adminFromRow(row) : null;
    },

    findAdminByEmail: async (email) => {
      const row = s.adminByEmail.get(email.toLowerCase());
      return row ? adminFromRow(row) : null;
    },

    listAdmins: async () => s.admins.all().map(adminFromRow),

    updateAdmin: async (id, patch) =>
      sql.transaction((): Admin | null => {
        const found = s.adminById.get(id);
        if (!found) return null;
        const next = { ...adminFromRow(found), ...patch };
        s.updateAdmin.run(next.passwordHash, next.lastLoginAt, id);
        return next;
      })(),

    deleteAdmin: async (id) =>
      sql
        .transaction((): 'deleted' | 'not_found' | 'last_admin' => {
          if (!s.adminById.get(id)) return 'not_found';
          if (Number(s.adminCount.get()) <= 1) return 'last_admin';
          s.deleteAdmin.run(id);
          return 'deleted';
        })
        .immediate(),

    saveSetupToken: async (token) => {
      s.saveSetupToken.run(token.digest, token.expiresAt);
    },

    consumeSetupToken: async (digest, now) => {
      const expiresAt = s.consumeSetupToken.get(digest);
      return expiresAt !== undefined && Number(expiresAt) > now;
    },

    // Integration keys -----------------------------------------------------

    insertIntegrationKey: async (k) => {
      s.insertIntegrationKey.run(
        k.id,
        k.digest,
        k.name,
        k.hint,
        k.createdAt,
        k.lastUsedAt,
        k.archivedAt,
      );
    },

    findIntegrationKeyByDigest: async (digest) => {
      const row = s.integrationKeyByDigest.get(digest);
      return row ? integrationKeyFromRow(row) : null;
    },

    listIntegrationKeys: async () => s.integrationKeys.all().map(integrationKeyFromRow),

    archiveIntegrationKey: async (id, now) => {
      const row = s.archiveIntegrationKey.get(now, id);
      return row ? integrationKeyFromRow(row) : null;
    },

    touchIntegrationKey: async (id, now) => {
      s.touchIntegrationKey.run(now, id);
    },

    // Brand images ---------------------------------------------------------

    saveBrandAsset: async (a) => {
      s.saveBrandAsset.run(a.id, a.contentType, Buffer.from(a.bytes), a.createdAt);
    },

    findBrandAsset: async (id) => {
      const row = s.brandAsset.get(id);
      if (!row) return null;
      return {
        id: String(row.id),
        contentType: String(row.content_type) as BrandAsset['contentType'],
        bytes: new Uint8Array(row.bytes as Buffer),
        createdAt: Number(row.created_at),
      };
    },
  };
}
