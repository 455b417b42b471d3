import type { Org, User } from '../../core/types';
import type { ArchivedKey, CascadeEvents, DirectoryRecords } from '../../core/store';
import { insertEventsNow } from './event-records';
import type { Row } from './row-reader';
import { membershipFromRow, orgFromRow, orgToRow, userFromRow, userToRow } from './rows';
import { likeEscape, paged, unlessTaken, type Sql } from './sql';

function directoryStatements(sql: Sql) {
  return {
    userById: sql.rows('SELECT * FROM users WHERE id = ?'),
    userByEmail: sql.rows('SELECT * FROM users WHERE email_lower = ?'),
    insertUser: (columns: string[]) =>
      sql.write(
        `INSERT INTO users (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      ),
    updateUser: (columns: string[]) =>
      sql.write(`UPDATE users SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`),
    deleteUser: sql.write('DELETE FROM users WHERE id = ?'),
    deleteMembershipsOfUser: sql.write('DELETE FROM memberships WHERE user_id = ?'),
    archiveKeysOfUser: (withCreatedOrgKeys: boolean) =>
      sql.rows(
        `UPDATE api_keys SET archived_at = ? WHERE user_id = ? AND ${
          withCreatedOrgKeys ? "kind IN ('personal', 'org')" : "kind = 'personal'"
        } AND archived_at IS NULL RETURNING id, kind, user_id, org_id, hint, display_name`,
      ),

    orgById: sql.rows('SELECT * FROM orgs WHERE id = ?'),
    /** Validation asks for a user's orgs on every uncached request: kept per list length. */
    orgsByIds: (count: number) =>
      sql.rows(`SELECT * FROM orgs WHERE id IN (${Array(count).fill('?').join(', ')})`),
    insertOrg: sql.write(`INSERT INTO orgs (id, name, url_safe_name, metadata, created_at)
      VALUES (@id, @name, @url_safe_name, @metadata, @created_at)`),
    updateOrg: sql.write(
      'UPDATE orgs SET name = @name, url_safe_name = @url_safe_name, metadata = @metadata WHERE id = @id',
    ),
    deleteOrg: sql.write('DELETE FROM orgs WHERE id = ?'),
    deleteMembershipsOfOrg: sql.write('DELETE FROM memberships WHERE org_id = ?'),
    archiveKeysOfOrg: sql.rows(
      'UPDATE api_keys SET archived_at = ? WHERE org_id = ? AND archived_at IS NULL RETURNING id, kind, user_id, org_id, hint, display_name',
    ),

    upsertMembership: sql.write(`INSERT INTO memberships (user_id, org_id, role, joined_at)
      VALUES (?, ?, ?, ?) ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`),
    membership: sql.rows('SELECT * FROM memberships WHERE user_id = ? AND org_id = ?'),
    membershipsOfUser: sql.rows(
      'SELECT * FROM memberships WHERE user_id = ? ORDER BY joined_at, org_id',
    ),
    deleteMembership: sql.write('DELETE FROM memberships WHERE user_id = ? AND org_id = ?'),
    archiveOrgKeysOfMember: sql.rows(
      "UPDATE api_keys SET archived_at = ? WHERE kind = 'org' AND org_id = ? AND user_id = ? AND archived_at IS NULL RETURNING id, kind, user_id, org_id, hint, display_name",
    ),
  };
}

const archivedKeyFromRow = (r: Row): ArchivedKey => ({
  id: String(r.id),
  kind: r.kind as ArchivedKey['kind'],
  userId: r.user_id === null ? null : String(r.user_id),
  orgId: r.org_id === null ? null : String(r.org_id),
  hint: String(r.hint),
  displayName: String(r.display_name),
});

export function sqliteDirectoryRecords(sql: Sql): DirectoryRecords {
  const s = directoryStatements(sql);

  /** Ends a cascade: its events go to the outbox in its transaction. */
  const archived = (rows: Row[], events: CascadeEvents | undefined) => {
    const keys = rows.map(archivedKeyFromRow);
    insertEventsNow(sql, events?.(keys));
    return { archivedKeyIds: keys.map((k) => k.id) };
  };

  return {
    // Users ----------------------------------------------------------------

    insertUser: async (user) => {
      const row = userToRow(user);
      return unlessTaken(() => {
        s.insertUser(Object.keys(row)).run(row);
        return true;
      }, false);
    },

    findUserById: async (id) => {
      const row = s.userById.get(id);
      return row ? userFromRow(row) : null;
    },

    findUserByEmail: async (email) => {
      const row = s.userByEmail.get(email.toLowerCase());
      return row ? userFromRow(row) : null;
    },

    listUsers: async (filter, page) => {
      const where = filter.emailContains ? "WHERE email_lower LIKE ? ESCAPE '\\'" : '';
      const params = filter.emailContains ? [likeEscape(filter.emailContains.toLowerCase())] : [];
      return paged(sql, 'users', where, params, 'created_at, id', page, userFromRow);
    },

    // Read and write in one synchronous transaction so concurrent patches cannot interleave.
    updateUser: async (id, patch, events) =>
      sql.transaction((): User | null | 'email_taken' => {
        const found = s.userById.get(id);
        if (!found) return null;
        const next: User = { ...userFromRow(found), ...patch, id };
        const row = userToRow(next);
        const columns = Object.keys(row).filter((c) => c !== 'id');
        return unlessTaken(() => {
          s.updateUser(columns).run(row);
          insertEventsNow(sql, events);
          return next;
        }, 'email_taken');
      })(),

    deleteUserAndArchiveKeys: async (id, now, archiveCreatedOrgKeys, events) =>
      sql.transaction(() => {
        if (!s.deleteUser.run(id).changes) return null;
        s.deleteMembershipsOfUser.run(id);
        return archived(s.archiveKeysOfUser(archiveCreatedOrgKeys).all(now, id), events);
      })(),

    // Orgs -----------------------------------------------------------------

    insertOrg: async (org) =>
      unlessTaken(() => {
        s.insertOrg.run(orgToRow(org));
        return true;
      }, false),

    findOrgById: async (id) => {
      const row = s.orgById.get(id);
      return row ? orgFromRow(row) : null;
    },

    findOrgsByIds: async (ids) =>
      ids.length === 0
        ? []
        : s
            .orgsByIds(ids.length)
            .all(...ids)
            .map(orgFromRow),

    listOrgs: async (filter, page) => {
      const where = filter.nameContains ? "WHERE name LIKE ? ESCAPE '\\'" : '';
      const params = filter.nameContains ? [likeEscape(filter.nameContains)] : [];
      return paged(sql, 'orgs', where, params, 'created_at, id', page, orgFromRow);
    },

    updateOrg: async (id, patch) =>
      sql.transaction((): Org | null | 'name_taken' => {
        const found = s.orgById.get(id);
        if (!found) return null;
        const next: Org = { ...orgFromRow(found), ...patch, id };
        return unlessTaken(() => {
          s.updateOrg.run(orgToRow(next));
          return next;
        }, 'name_taken');
      })(),

    deleteOrgAndArchiveKeys: async (id, now, events) =>
      sql.transaction(() => {
        if (!s.deleteOrg.run(id).changes) return null;
        s.deleteMembershipsOfOrg.run(id);
        return archived(s.archiveKeysOfOrg.all(now, id), events);
      })(),

    // Memberships ----------------------------------------------------------

    upsertMembership: async (m) => {
      s.upsertMembership.run(m.userId, m.orgId, m.role, m.joinedAt);
    },

    findMembership: async (userId, orgId) => {
      const row = s.membership.get(userId, orgId);
      return row ? membershipFromRow(row) : null;
    },

    listMembershipsOfUser: async (userId) => s.membershipsOfUser.all(userId).map(membershipFromRow),

    listMembershipsOfOrg: async (orgId, page) =>
      paged(
        sql,
        'memberships',
        'WHERE org_id = ?',
        [orgId],
        'joined_at, user_id',
        page,
        membershipFromRow,
      ),

    removeMemberAndArchiveTheirOrgKeys: async (orgId, userId, now, archiveTheirOrgKeys, events) =>
      sql.transaction(() => {
        if (!s.deleteMembership.run(userId, orgId).changes) return null;
        const rows = archiveTheirOrgKeys ? s.archiveOrgKeysOfMember.all(now, orgId, userId) : [];
        return archived(rows, events);
      })(),
  };
}
