import type Database from 'better-sqlite3';
import type { JsonObject, KeyKind, OrgRole, RateLimit } from '../../core/types';
import type {
  KeyForValidation,
  KeyToValidate,
  MembershipWithOrg,
  UserToValidate,
} from '../../core/store';
import type { Params, Sql } from './sql';

/**
 * The columns a validation reads, packed by SQLite into one JSON array: one string
 * crosses into JS instead of one value per column, each of which better-sqlite3 would
 * turn into a JS value through V8's slow API. Only what a verdict uses is read (no
 * password hash, names, hint or digest), so there is less to pack, parse and hold.
 *
 * The memberships are joined and aggregated in the same query rather than in a
 * correlated subquery: the subquery's array reached the outer json_array() as text, so
 * it had to go through json() and be parsed again. The key, user and org columns are
 * bare columns of the aggregate, the same in every joined row since the digest, user id
 * and org id are each unique; without GROUP BY an aggregate answers one row even when
 * no key matches, which HAVING drops. The memberships' entries are sorted in JS: an
 * ORDER BY inside the aggregate costs SQLite a sorter on every call. Packed below must
 * list the same columns in this order.
 */
const SQL = `
  SELECT json_array(
    k.id, k.kind, k.user_id, k.org_id, k.metadata,
    k.expires_at, k.archived_at, k.imported, k.rate_limit,
    u.id, u.email, u.email_confirmed, u.password_hash IS NOT NULL, u.picture_url,
    u.locked, u.enabled, u.mfa_enabled, u.can_create_orgs, u.update_password_required,
    u.created_at, u.last_active_at,
    o.id, o.name, o.url_safe_name, o.metadata, o.created_at,
    json_group_array(json_array(
      m.org_id, m.role, m.joined_at, mo.name, mo.url_safe_name, mo.metadata, mo.created_at
    )) FILTER (WHERE mo.id IS NOT NULL))
  FROM api_keys k
  LEFT JOIN users u ON u.id = k.user_id
  LEFT JOIN orgs o ON o.id = k.org_id
  LEFT JOIN memberships m ON m.user_id = u.id
  LEFT JOIN orgs mo ON mo.id = m.org_id
  WHERE k.digest = ?
  HAVING k.id IS NOT NULL`;

/** SQLite's 0/1 for a boolean column. */
type Bit = 0 | 1;
/** A JSON object column, as the text it is stored as. */
type JsonText = string;

type Packed = [
  keyId: string,
  kind: KeyKind,
  userId: string | null,
  orgId: string | null,
  keyMetadata: JsonText,
  expiresAt: number | null,
  archivedAt: number | null,
  imported: Bit,
  rateLimit: JsonText | null,
  // null from here to lastActiveAt when the key has no user, or it is gone
  user: string | null,
  email: string,
  emailConfirmed: Bit,
  hasPassword: Bit,
  pictureUrl: string | null,
  locked: Bit,
  enabled: Bit,
  mfaEnabled: Bit,
  canCreateOrgs: Bit,
  updatePasswordRequired: Bit,
  userCreatedAt: number,
  lastActiveAt: number,
  // null from here to orgCreatedAt when the key has no org, or it is gone
  org: string | null,
  orgName: string,
  urlSafeName: string,
  orgMetadata: JsonText,
  orgCreatedAt: number,
  memberships: MembershipEntry[],
];

type MembershipEntry = [
  orgId: string,
  role: OrgRole,
  joinedAt: number,
  name: string,
  urlSafeName: string,
  metadata: JsonText,
  createdAt: number,
];

const object = (text: JsonText): JsonObject => JSON.parse(text) as JsonObject;

/** listMembershipsOfUser's order: by join time, then org id. */
const byJoinTime = (a: MembershipWithOrg, b: MembershipWithOrg): number =>
  a.membership.joinedAt - b.membership.joinedAt ||
  (a.membership.orgId < b.membership.orgId ? -1 : a.membership.orgId > b.membership.orgId ? 1 : 0);

/**
 * Reads everything a validation needs in one statement: one native call instead
 * of four, and one read transaction, so the key, its owner and their
 * memberships are seen as they stood at one moment.
 */
export class KeyForValidationReader {
  private readonly statement: Database.Statement<Params, string>;

  constructor(sql: Sql) {
    this.statement = sql.value<string>(SQL);
  }

  get(digest: string): KeyForValidation | null {
    const found = this.statement.get(digest);
    if (found === undefined) return null;
    const v = JSON.parse(found) as Packed;
    const key: KeyToValidate = {
      id: v[0],
      kind: v[1],
      userId: v[2],
      orgId: v[3],
      metadata: object(v[4]),
      expiresAt: v[5],
      archivedAt: v[6],
      imported: v[7] === 1,
      rateLimit: v[8] === null ? null : (JSON.parse(v[8]) as RateLimit),
    };
    const userId = v[9];
    const user: UserToValidate | null =
      userId === null
        ? null
        : {
            id: userId,
            email: v[10],
            emailConfirmed: v[11] === 1,
            hasPassword: v[12] === 1,
            pictureUrl: v[13],
            locked: v[14] === 1,
            enabled: v[15] === 1,
            mfaEnabled: v[16] === 1,
            canCreateOrgs: v[17] === 1,
            updatePasswordRequired: v[18] === 1,
            createdAt: v[19],
            lastActiveAt: v[20],
          };
    const orgId = v[21];
    return {
      key,
      user,
      org:
        orgId === null
          ? null
          : {
              id: orgId,
              name: v[22],
              urlSafeName: v[23],
              metadata: object(v[24]),
              createdAt: v[25],
            },
      memberships: userId === null ? [] : membershipsOf(userId, v[26]),
    };
  }
}

function membershipsOf(userId: string, entries: MembershipEntry[]): MembershipWithOrg[] {
  const memberships = entries.map(
    ([orgId, role, joinedAt, name, urlSafeName, metadata, createdAt]): MembershipWithOrg => ({
      membership: { userId, orgId, role, joinedAt },
      org: { id: orgId, name, urlSafeName, metadata: object(metadata), createdAt },
    }),
  );
  return memberships.length > 1 ? memberships.sort(byJoinTime) : memberships;
}
