import type Database from 'better-sqlite3';
import type { KeyForValidation, MembershipWithOrg } from '../store';
import { keyFromRow, membershipFromRow, orgFromRow, userFromRow } from './rows';

type Row = Record<string, unknown>;

/**
 * The key, its user and its org joined, and the user's memberships with their
 * orgs folded into one JSON array of `[org_id, role, joined_at, name,
 * url_safe_name, metadata, created_at]` entries. The entries are sorted in JS:
 * an ORDER BY inside the aggregate costs SQLite a sorter on every call.
 */
const SQL = `
  SELECT k.*, u.*, o.*, (
    SELECT json_group_array(json_array(
      m.org_id, m.role, m.joined_at, mo.name, mo.url_safe_name, mo.metadata, mo.created_at
    ))
    FROM memberships m JOIN orgs mo ON mo.id = m.org_id
    WHERE m.user_id = u.id
  ) AS memberships
  FROM api_keys k
  LEFT JOIN users u ON u.id = k.user_id
  LEFT JOIN orgs o ON o.id = k.org_id
  WHERE k.digest = ?`;

type MembershipEntry = [unknown, unknown, unknown, unknown, unknown, unknown, unknown];

/** listMembershipsOfUser's order: by join time, then org id. */
const byJoinTime = (a: MembershipWithOrg, b: MembershipWithOrg): number =>
  a.membership.joinedAt - b.membership.joinedAt ||
  (a.membership.orgId < b.membership.orgId ? -1 : a.membership.orgId > b.membership.orgId ? 1 : 0);

/** Positions of one table's columns in the joined row. */
interface Columns {
  names: string[];
  at: number[];
  /** Where the id is: null there means the LEFT JOIN found no row. */
  id: number;
}

/**
 * Reads everything a validation needs in one statement: one native call instead
 * of four, and one read transaction, so the key, its owner and their
 * memberships are seen as they stood at one moment. Runs in raw mode and builds
 * each table's row object itself (see row-reader.ts for why).
 */
export class KeyForValidationReader {
  private readonly statement: Database.Statement;
  private readonly key: Columns;
  private readonly user: Columns;
  private readonly org: Columns;
  private readonly memberships: number;

  constructor(db: Database.Database) {
    this.statement = db.prepare(SQL).raw(true);
    const columns = this.statement.columns();
    const of = (table: string): Columns => {
      const names: string[] = [];
      const at: number[] = [];
      columns.forEach((c, i) => {
        if (c.table !== table) return;
        names.push(c.name);
        at.push(i);
      });
      return { names, at, id: at[names.indexOf('id')]! };
    };
    this.key = of('api_keys');
    this.user = of('users');
    this.org = of('orgs');
    this.memberships = columns.findIndex((c) => c.name === 'memberships');
  }

  get(digest: string): KeyForValidation | null {
    const values = this.statement.get(digest) as unknown[] | undefined;
    if (!values) return null;
    const user = this.rowOf(values, this.user);
    const org = this.rowOf(values, this.org);
    return {
      key: keyFromRow(this.rowOf(values, this.key)!),
      user: user && userFromRow(user),
      org: org && orgFromRow(org),
      memberships: user ? membershipsOf(String(user.id), values[this.memberships]) : [],
    };
  }

  private rowOf(values: unknown[], { names, at, id }: Columns): Row | null {
    if (values[id] === null) return null;
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[at[i]!];
    return row;
  }
}

function membershipsOf(userId: string, json: unknown): MembershipWithOrg[] {
  const entries = JSON.parse(String(json)) as MembershipEntry[];
  const memberships = entries.map(
    ([orgId, role, joinedAt, name, urlSafeName, metadata, createdAt]): MembershipWithOrg => ({
      membership: membershipFromRow({ user_id: userId, org_id: orgId, role, joined_at: joinedAt }),
      org: orgFromRow({
        id: orgId,
        name,
        url_safe_name: urlSafeName,
        metadata,
        created_at: createdAt,
      }),
    }),
  );
  return memberships.length > 1 ? memberships.sort(byJoinTime) : memberships;
}
