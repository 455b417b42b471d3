import type Database from 'better-sqlite3';
import type { JsonObject, KeyKind, OrgRole, RateLimit } from '../../core/types';
import type {
  KeyForValidation,
  KeyToValidate,
  MembershipWithOrg,
  UserToValidate,
} from '../../core/store';
import { stringListOf } from './rows';
import type { Params, Sql } from './sql';

/** The type a packed value arrives as; only the compiler reads it. */
interface As<T> {
  readonly value?: T;
}
const as = <T>(): As<T> => ({});

/** SQLite's 0/1 for a boolean column. */
type Bit = 0 | 1;
/** A JSON object column, as the text it is stored as. */
type JsonText = string;

const text = as<string>();
const textOrNull = as<string | null>();
const int = as<number>();
const intOrNull = as<number | null>();
const bit = as<Bit>();
const json = as<JsonText>();

/** One packed value: the name the decoder reads it by, the SQL that reads it, its type. */
type Column = readonly [name: string, sql: string, type: As<unknown>];

/** A membership's entry: the membership with its org. */
const MEMBERSHIP_COLUMNS = [
  ['orgId', 'm.org_id', text],
  ['role', 'm.role', as<OrgRole>()],
  ['joinedAt', 'm.joined_at', int],
  ['name', 'mo.name', text],
  ['urlSafeName', 'mo.url_safe_name', text],
  ['metadata', 'mo.metadata', json],
  ['createdAt', 'mo.created_at', int],
] as const satisfies readonly Column[];

/**
 * Only what a verdict uses is read (no password hash, names, hint or digest). The user's
 * columns are null when the key has no user or it is gone; the org's likewise. The
 * memberships are aggregated in the same query, not a correlated subquery, whose array
 * would reach the outer json_array() as text to be parsed again; their order is made in
 * JS, since an ORDER BY inside the aggregate costs SQLite a sorter on every call.
 */
const COLUMNS = [
  ['keyId', 'k.id', text],
  ['kind', 'k.kind', as<KeyKind>()],
  ['userId', 'k.user_id', textOrNull],
  ['orgId', 'k.org_id', textOrNull],
  ['keyMetadata', 'k.metadata', json],
  ['expiresAt', 'k.expires_at', intOrNull],
  ['previousDigestExpiresAt', 'k.previous_digest_expires_at', intOrNull],
  ['archivedAt', 'k.archived_at', intOrNull],
  ['imported', 'k.imported', bit],
  ['rateLimit', 'k.rate_limit', as<JsonText | null>()],
  ['scopes', 'k.scopes', as<JsonText | null>()],
  ['allowedIps', 'k.allowed_ips', as<JsonText | null>()],
  ['remaining', 'k.remaining', intOrNull],
  ['user', 'u.id', textOrNull],
  ['email', 'u.email', text],
  ['emailConfirmed', 'u.email_confirmed', bit],
  ['hasPassword', 'u.password_hash IS NOT NULL', bit],
  ['pictureUrl', 'u.picture_url', textOrNull],
  ['locked', 'u.locked', bit],
  ['enabled', 'u.enabled', bit],
  ['mfaEnabled', 'u.mfa_enabled', bit],
  ['canCreateOrgs', 'u.can_create_orgs', bit],
  ['updatePasswordRequired', 'u.update_password_required', bit],
  ['userCreatedAt', 'u.created_at', int],
  ['lastActiveAt', 'u.last_active_at', int],
  ['org', 'o.id', textOrNull],
  ['orgName', 'o.name', text],
  ['urlSafeName', 'o.url_safe_name', text],
  ['orgMetadata', 'o.metadata', json],
  ['orgCreatedAt', 'o.created_at', int],
  [
    'memberships',
    `json_group_array(json_array(${sqlOf(MEMBERSHIP_COLUMNS)})) FILTER (WHERE mo.id IS NOT NULL)`,
    as<Packed<typeof MEMBERSHIP_COLUMNS>[]>(),
  ],
] as const satisfies readonly Column[];

function sqlOf(columns: readonly Column[]): string {
  return columns.map(([, sql]) => sql).join(', ');
}

/** The JSON array SQLite packs `Columns` into. */
type Packed<Columns extends readonly Column[]> = {
  -readonly [I in keyof Columns]: Columns[I][2] extends As<infer T> ? T : never;
};

/** Where the column called `Name` sits in `Columns`. */
type PositionOf<
  Columns extends readonly Column[],
  Name extends string,
  Before extends unknown[] = [],
> = Columns extends readonly [infer First extends Column, ...infer Rest extends Column[]]
  ? First[0] extends Name
    ? Before['length']
    : PositionOf<Rest, Name, [...Before, First]>
  : never;

type Positions<Columns extends readonly Column[]> = {
  [Name in Columns[number][0]]: PositionOf<Columns, Name>;
};

function positionsOf<Columns extends readonly Column[]>(columns: Columns): Positions<Columns> {
  return Object.fromEntries(columns.map(([name], i) => [name, i])) as Positions<Columns>;
}

/**
 * Each column's position, by name, as a literal type too: the decoder reads `v[at.email]`,
 * so a column added or moved in the list cannot put the SQL, the type and the decoder out
 * of step. V8 folds these constant fields, so the reads cost what `v[10]` does.
 */
const at = positionsOf(COLUMNS);
const inMembership = positionsOf(MEMBERSHIP_COLUMNS);

/**
 * The key, its user and org and the user's memberships, packed by SQLite into one JSON
 * array: one string crosses into JS instead of one value per column, each of which
 * better-sqlite3 would turn into a JS value through V8's slow API. The key, user and org
 * columns are bare columns of the aggregate, the same in every joined row since the
 * digest, user id and org id are each unique; without GROUP BY an aggregate answers one
 * row even when no key matches, which HAVING drops.
 */
const sqlFindingBy = (digestColumn: 'digest' | 'previous_digest') => `
  SELECT json_array(${sqlOf(COLUMNS)})
  FROM api_keys k
  LEFT JOIN users u ON u.id = k.user_id
  LEFT JOIN orgs o ON o.id = k.org_id
  LEFT JOIN memberships m ON m.user_id = u.id
  LEFT JOIN orgs mo ON mo.id = m.org_id
  WHERE k.${digestColumn} = ?
  HAVING k.id IS NOT NULL`;

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
  private readonly byDigest: Database.Statement<Params, string>;
  /** A rolled key by the digest it replaced: read only when no key has the digest. */
  private readonly byPreviousDigest: Database.Statement<Params, string>;

  constructor(sql: Sql) {
    this.byDigest = sql.value<string>(sqlFindingBy('digest'));
    this.byPreviousDigest = sql.value<string>(sqlFindingBy('previous_digest'));
  }

  get(digest: string): KeyForValidation | null {
    const found = this.byDigest.get(digest);
    if (found !== undefined) return this.decode(found, false);
    const previous = this.byPreviousDigest.get(digest);
    return previous === undefined ? null : this.decode(previous, true);
  }

  /** A replaced digest validates no later than the end of its grace period. */
  private decode(found: string, byPreviousDigest: boolean): KeyForValidation {
    const v = JSON.parse(found) as Packed<typeof COLUMNS>;
    const graceEndsAt = v[at.previousDigestExpiresAt] ?? 0;
    const expiresAt = byPreviousDigest
      ? Math.min(v[at.expiresAt] ?? graceEndsAt, graceEndsAt)
      : v[at.expiresAt];
    const rateLimit = v[at.rateLimit];
    const key: KeyToValidate = {
      id: v[at.keyId],
      kind: v[at.kind],
      userId: v[at.userId],
      orgId: v[at.orgId],
      metadata: object(v[at.keyMetadata]),
      expiresAt,
      archivedAt: v[at.archivedAt],
      imported: v[at.imported] === 1,
      rateLimit: rateLimit === null ? null : (JSON.parse(rateLimit) as RateLimit),
      scopes: stringListOf(v[at.scopes]),
      allowedIps: stringListOf(v[at.allowedIps]),
    };
    const remaining = v[at.remaining];
    if (remaining !== null) key.remaining = remaining;
    const userId = v[at.user];
    const user: UserToValidate | null =
      userId === null
        ? null
        : {
            id: userId,
            email: v[at.email],
            emailConfirmed: v[at.emailConfirmed] === 1,
            hasPassword: v[at.hasPassword] === 1,
            pictureUrl: v[at.pictureUrl],
            locked: v[at.locked] === 1,
            enabled: v[at.enabled] === 1,
            mfaEnabled: v[at.mfaEnabled] === 1,
            canCreateOrgs: v[at.canCreateOrgs] === 1,
            updatePasswordRequired: v[at.updatePasswordRequired] === 1,
            createdAt: v[at.userCreatedAt],
            lastActiveAt: v[at.lastActiveAt],
          };
    const orgId = v[at.org];
    return {
      key,
      user,
      org:
        orgId === null
          ? null
          : {
              id: orgId,
              name: v[at.orgName],
              urlSafeName: v[at.urlSafeName],
              metadata: object(v[at.orgMetadata]),
              createdAt: v[at.orgCreatedAt],
            },
      memberships: userId === null ? [] : membershipsOf(userId, v[at.memberships]),
    };
  }
}

function membershipsOf(
  userId: string,
  entries: Packed<typeof MEMBERSHIP_COLUMNS>[],
): MembershipWithOrg[] {
  const m = inMembership;
  const memberships = entries.map((e): MembershipWithOrg => ({
    membership: { userId, orgId: e[m.orgId], role: e[m.role], joinedAt: e[m.joinedAt] },
    org: {
      id: e[m.orgId],
      name: e[m.name],
      urlSafeName: e[m.urlSafeName],
      metadata: object(e[m.metadata]),
      createdAt: e[m.createdAt],
    },
  }));
  return memberships.length > 1 ? memberships.sort(byJoinTime) : memberships;
}
