import type Database from 'better-sqlite3';
import type { KeyForValidation, MembershipWithOrg } from '../store';
import { keyFromRow, membershipFromRow, orgFromRow, userFromRow } from './rows';

type Row = Record<string, unknown>;

/** The tables the validation read joins, by alias. */
const TABLES = { k: 'api_keys', u: 'users', o: 'orgs' } as const;

/**
 * Read beside the packed array rather than inside it. Every hint holds '…' (U+2026): one
 * character outside ASCII makes V8 decode the whole string from UTF-8, one character at a
 * time, into a two-byte string, and JSON.parse then reads two-byte text. Kept apart, the
 * packed string of a key whose owner's names and metadata are ASCII is copied as it is.
 */
const HINT_COLUMN = 'hint';

/**
 * The key (but its hint, see HINT_COLUMN), its user and its org joined, with the user's
 * memberships and their orgs as `[org_id, role, joined_at, name, url_safe_name, metadata,
 * created_at]` entries, all packed by SQLite into one JSON array, then the hint: two
 * strings cross into JS instead of 38 values, each of which better-sqlite3 would turn into
 * a JS value through V8's slow API.
 * The entries are sorted in JS: an ORDER BY inside the aggregate costs SQLite a sorter
 * on every call.
 */
function validationSql(columns: Record<keyof typeof TABLES, string[]>): string {
  const listed = (Object.keys(TABLES) as (keyof typeof TABLES)[]).flatMap((alias) =>
    columns[alias].map((name) => `${alias}."${name}"`),
  );
  return `
    SELECT json_array(${listed.join(', ')}, json((
      SELECT json_group_array(json_array(
        m.org_id, m.role, m.joined_at, mo.name, mo.url_safe_name, mo.metadata, mo.created_at
      ))
      FROM memberships m JOIN orgs mo ON mo.id = m.org_id
      WHERE m.user_id = u.id
    ))), k."${HINT_COLUMN}"
    FROM api_keys k
    LEFT JOIN users u ON u.id = k.user_id
    LEFT JOIN orgs o ON o.id = k.org_id
    WHERE k.digest = ?`;
}

type MembershipEntry = [unknown, unknown, unknown, unknown, unknown, unknown, unknown];

/** listMembershipsOfUser's order: by join time, then org id. */
const byJoinTime = (a: MembershipWithOrg, b: MembershipWithOrg): number =>
  a.membership.joinedAt - b.membership.joinedAt ||
  (a.membership.orgId < b.membership.orgId ? -1 : a.membership.orgId > b.membership.orgId ? 1 : 0);

/** One table's columns and where they start in the packed array. */
interface Columns {
  names: string[];
  from: number;
  /** Where the id is: null there means the LEFT JOIN found no row. */
  id: number;
}

/**
 * Reads everything a validation needs in one statement: one native call instead
 * of four, and one read transaction, so the key, its owner and their
 * memberships are seen as they stood at one moment.
 */
export class KeyForValidationReader {
  private readonly statement: Database.Statement;
  private readonly key: Columns;
  private readonly user: Columns;
  private readonly org: Columns;
  private readonly memberships: number;

  constructor(db: Database.Database) {
    const columnsOf = db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck();
    const names = {
      k: (columnsOf.all(TABLES.k) as string[]).filter((name) => name !== HINT_COLUMN),
      u: columnsOf.all(TABLES.u) as string[],
      o: columnsOf.all(TABLES.o) as string[],
    };
    this.statement = db.prepare(validationSql(names)).raw();
    const at = (list: string[], from: number): Columns => ({
      names: list,
      from,
      id: from + list.indexOf('id'),
    });
    this.key = at(names.k, 0);
    this.user = at(names.u, names.k.length);
    this.org = at(names.o, names.k.length + names.u.length);
    this.memberships = this.org.from + names.o.length;
  }

  get(digest: string): KeyForValidation | null {
    const found = this.statement.get(digest) as [string, string] | undefined;
    if (found === undefined) return null;
    const values = JSON.parse(found[0]) as unknown[];
    const key = rowOf(values, this.key)!;
    key[HINT_COLUMN] = found[1];
    const user = rowOf(values, this.user);
    const org = rowOf(values, this.org);
    return {
      key: keyFromRow(key),
      user: user && userFromRow(user),
      org: org && orgFromRow(org),
      memberships: user
        ? membershipsOf(String(user.id), values[this.memberships] as MembershipEntry[])
        : [],
    };
  }
}

/** One table's row out of the packed array; null when the LEFT JOIN found none. */
function rowOf(values: unknown[], { names, from, id }: Columns): Row | null {
  if (values[id] === null) return null;
  const row: Row = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[from + i];
  return row;
}

function membershipsOf(userId: string, entries: MembershipEntry[]): MembershipWithOrg[] {
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
