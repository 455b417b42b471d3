import type { ClientSession, Connection, Model, QueryFilter } from 'mongoose';
import type {
  Admin,
  ApiKey,
  AuditEvent,
  IntegrationKey,
  KeyKind,
  Membership,
  Org,
  Settings,
  SetupToken,
  UsageIncrement,
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
  MembershipWithOrg,
  UsageFilter,
  UserPatch,
} from '../../core/store';
import { keyToValidate, userToValidate } from '../../core/store';
import {
  adminFromDoc,
  adminToDoc,
  auditFromDoc,
  auditToDoc,
  integrationKeyFromDoc,
  integrationKeyToDoc,
  keyFromDoc,
  keyToDoc,
  membershipFromDoc,
  orgFromDoc,
  orgToDoc,
  pickSet,
  userFromDoc,
  userPatchToSet,
  userToDoc,
} from './mappers';
import type { ApiKeyDoc, Models } from './models';
import { isDuplicateKey } from './mongo-errors';
import { OwnerLocks, type OwnerLockOptions } from './owner-lock';
import { keyQuery, usageQuery } from './queries';
import { asId, asIds, assertStorableJson, containsRegex } from './query-values';
import { inTransactionIfSupported } from './transactions';

export interface MongoStoreOptions {
  /** Run cascades in transactions (needs a replica set or sharded cluster). */
  useTransactions: boolean;
  ownerLock?: OwnerLockOptions;
}

const SETTINGS_ID = 'settings';
const AFTER = { returnDocument: 'after' as const, runValidators: true };

/** Limit and offset as MongoDB wants them: whole, non-negative (a limit of 0 means "none" there). */
function window(page: Page): { limit: number; skip: number } {
  const whole = (n: unknown) =>
    typeof n === 'number' && n > 0 ? Math.min(Math.floor(n), 2 ** 31 - 1) : 0;
  return { limit: whole(page.limit), skip: whole(page.offset) };
}

async function insertedOrDuplicate(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/**
 * The Store on MongoDB through mongoose. Single-document writes are atomic
 * conditional updates; cascades run in a transaction when the deployment has
 * them and are safe to re-run when it does not (see transactions.ts).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  private readonly locks: OwnerLocks;

  constructor(
    readonly connection: Connection,
    readonly models: Models,
    readonly options: MongoStoreOptions,
  ) {
    this.locks = new OwnerLocks(models.OwnerLock, options.ownerLock);
  }

  private cascade<T>(work: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    return inTransactionIfSupported(this.connection, this.options.useTransactions, work);
  }

  private async paged<Doc, T>(
    model: Model<Doc>,
    filter: QueryFilter<Doc> | null,
    sort: Record<string, 1 | -1>,
    page: Page,
    map: (doc: Doc) => T,
  ): Promise<Paged<T>> {
    if (filter === null) return { items: [], total: 0 };
    const { limit, skip } = window(page);
    const [total, docs] = await Promise.all([
      model.countDocuments(filter),
      limit === 0 ? [] : model.find(filter).sort(sort).skip(skip).limit(limit).lean<Doc[]>(),
    ]);
    return { items: docs.map(map), total };
  }

  /** Archives the current keys matching `filter`; returns their ids, oldest first. */
  private async archiveMatching(
    filter: QueryFilter<ApiKeyDoc>,
    now: number,
    session: ClientSession | undefined,
  ): Promise<string[]> {
    const { ApiKey } = this.models;
    const current = { ...filter, archivedAt: null };
    const docs = await ApiKey.find(current, { _id: 1 }, { session })
      .sort({ createdAt: 1, _id: 1 })
      .lean<{ _id: string }[]>();
    const ids = docs.map((d) => d._id);
    if (ids.length > 0) {
      // Still conditional on archivedAt: null, so a key archived meanwhile keeps its first archive time.
      await ApiKey.updateMany(
        { _id: { $in: ids }, archivedAt: null },
        { $set: { archivedAt: now } },
        { session },
      );
    }
    return ids;
  }

  /**
   * A cascade's second sweep, once its owner is gone and the change is visible to every
   * reader: a key inserted while the cascade ran, by a caller that still saw the owner,
   * is archived here; one inserted later finds the owner gone (see insertKey).
   */
  private async sweptAgain(
    done: { archivedKeyIds: string[] } | null,
    filter: QueryFilter<ApiKeyDoc>,
    now: number,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    if (done === null) return null;
    const late = await this.archiveMatching(filter, now, undefined);
    return late.length === 0 ? done : { archivedKeyIds: [...done.archivedKeyIds, ...late] };
  }

  /** The key's user, org and (for an org key made by a user) membership are all still there. */
  private async ownerExists({ userId, orgId }: ApiKey): Promise<boolean> {
    const { User, Org, Membership } = this.models;
    const found = await Promise.all([
      userId === null || User.exists({ _id: userId }),
      orgId === null || Org.exists({ _id: orgId }),
      userId === null || orgId === null || Membership.exists({ userId, orgId }),
    ]);
    return found.every((f) => f !== null);
  }

  // Users ------------------------------------------------------------------

  async insertUser(user: User): Promise<boolean> {
    assertStorableJson('metadata', user.metadata);
    return insertedOrDuplicate(() => this.models.User.create(userToDoc(user)));
  }

  async findUserById(id: string): Promise<User | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.User.findOne({ _id }).lean();
    return doc ? userFromDoc(doc) : null;
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const value = asId(email);
    if (value === null) return null;
    const doc = await this.models.User.findOne({ emailLower: value.toLowerCase() }).lean();
    return doc ? userFromDoc(doc) : null;
  }

  async listUsers(filter: { emailContains?: string }, page: Page): Promise<Paged<User>> {
    const text: unknown = filter.emailContains;
    const query = !text
      ? {}
      : typeof text === 'string'
        ? { emailLower: containsRegex(text.toLowerCase()) }
        : null;
    return this.paged(this.models.User, query, { createdAt: 1, _id: 1 }, page, userFromDoc);
  }

  async updateUser(id: string, patch: UserPatch): Promise<User | null | 'email_taken'> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = userPatchToSet(patch);
    if (Object.keys(set).length === 0) return this.findUserById(_id);
    if (set.metadata !== undefined) assertStorableJson('metadata', set.metadata);
    try {
      const doc = await this.models.User.findOneAndUpdate({ _id }, { $set: set }, AFTER).lean();
      return doc ? userFromDoc(doc) : null;
    } catch (e) {
      if (isDuplicateKey(e)) return 'email_taken';
      throw e;
    }
  }

  async deleteUserAndArchiveKeys(
    id: string,
    now: number,
    archiveCreatedOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const { User, Membership } = this.models;
    // Keys first, the user last: a run cut short leaves the user in place, and running again finishes the job.
    const kinds: KeyKind[] = archiveCreatedOrgKeys ? ['personal', 'org'] : ['personal'];
    const theirKeys: QueryFilter<ApiKeyDoc> = { userId: _id, kind: { $in: kinds } };
    const done = await this.cascade(async (session) => {
      if (!(await User.exists({ _id }).session(session ?? null))) return null;
      const archivedKeyIds = await this.archiveMatching(theirKeys, now, session);
      await Membership.deleteMany({ userId: _id }, { session });
      await User.deleteOne({ _id }, { session });
      return { archivedKeyIds };
    });
    return this.sweptAgain(done, theirKeys, now);
  }

  // Orgs -------------------------------------------------------------------

  async insertOrg(org: Org): Promise<boolean> {
    assertStorableJson('metadata', org.metadata);
    return insertedOrDuplicate(() => this.models.Org.create(orgToDoc(org)));
  }

  async findOrgById(id: string): Promise<Org | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.Org.findOne({ _id }).lean();
    return doc ? orgFromDoc(doc) : null;
  }

  async findOrgsByIds(ids: string[]): Promise<Org[]> {
    const valid = asIds(ids);
    if (valid.length === 0) return [];
    const docs = await this.models.Org.find({ _id: { $in: valid } }).lean();
    return docs.map(orgFromDoc);
  }

  async listOrgs(filter: { nameContains?: string }, page: Page): Promise<Paged<Org>> {
    const text: unknown = filter.nameContains;
    const query = !text ? {} : typeof text === 'string' ? { name: containsRegex(text) } : null;
    return this.paged(this.models.Org, query, { createdAt: 1, _id: 1 }, page, orgFromDoc);
  }

  async updateOrg(id: string, patch: OrgPatch): Promise<Org | null | 'name_taken'> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = pickSet(patch, ['name', 'urlSafeName', 'metadata'] as const);
    if (Object.keys(set).length === 0) return this.findOrgById(_id);
    if (set.metadata !== undefined) assertStorableJson('metadata', set.metadata);
    try {
      const doc = await this.models.Org.findOneAndUpdate({ _id }, { $set: set }, AFTER).lean();
      return doc ? orgFromDoc(doc) : null;
    } catch (e) {
      if (isDuplicateKey(e)) return 'name_taken';
      throw e;
    }
  }

  async deleteOrgAndArchiveKeys(
    id: string,
    now: number,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const { Org, Membership } = this.models;
    const done = await this.cascade(async (session) => {
      if (!(await Org.exists({ _id }).session(session ?? null))) return null;
      const archivedKeyIds = await this.archiveMatching({ orgId: _id }, now, session);
      await Membership.deleteMany({ orgId: _id }, { session });
      await Org.deleteOne({ _id }, { session });
      return { archivedKeyIds };
    });
    return this.sweptAgain(done, { orgId: _id }, now);
  }

  // Memberships ------------------------------------------------------------

  async upsertMembership(m: Membership): Promise<void> {
    const userId = asId(m.userId);
    const orgId = asId(m.orgId);
    if (userId === null || orgId === null)
      throw new Error('A membership needs a user id and an org id.');
    const upsert = () =>
      this.models.Membership.updateOne(
        { userId, orgId },
        { $set: { role: m.role }, $setOnInsert: { joinedAt: m.joinedAt } },
        { upsert: true, runValidators: true },
      );
    try {
      await upsert();
    } catch (e) {
      // Two first-time upserts can race to insert; the loser now finds the winner's document.
      if (!isDuplicateKey(e)) throw e;
      await upsert();
    }
  }

  async findMembership(userId: string, orgId: string): Promise<Membership | null> {
    const u = asId(userId);
    const o = asId(orgId);
    if (u === null || o === null) return null;
    const doc = await this.models.Membership.findOne({ userId: u, orgId: o }).lean();
    return doc ? membershipFromDoc(doc) : null;
  }

  async listMembershipsOfUser(userId: string): Promise<Membership[]> {
    const u = asId(userId);
    if (u === null) return [];
    const docs = await this.models.Membership.find({ userId: u })
      .sort({ joinedAt: 1, orgId: 1 })
      .lean();
    return docs.map(membershipFromDoc);
  }

  async listMembershipsOfOrg(orgId: string, page: Page): Promise<Paged<Membership>> {
    const o = asId(orgId);
    return this.paged(
      this.models.Membership,
      o === null ? null : { orgId: o },
      { joinedAt: 1, userId: 1 },
      page,
      membershipFromDoc,
    );
  }

  async removeMemberAndArchiveTheirOrgKeys(
    orgId: string,
    userId: string,
    now: number,
    archiveTheirOrgKeys: boolean,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const o = asId(orgId);
    const u = asId(userId);
    if (o === null || u === null) return null;
    const { Membership } = this.models;
    const theirOrgKeys: QueryFilter<ApiKeyDoc> = { kind: 'org', orgId: o, userId: u };
    // Keys first, the membership last, so a run cut short can simply be run again.
    const done = await this.cascade(async (session) => {
      if (!(await Membership.exists({ userId: u, orgId: o }).session(session ?? null))) return null;
      const archivedKeyIds = archiveTheirOrgKeys
        ? await this.archiveMatching(theirOrgKeys, now, session)
        : [];
      await Membership.deleteOne({ userId: u, orgId: o }, { session });
      return { archivedKeyIds };
    });
    return archiveTheirOrgKeys ? this.sweptAgain(done, theirOrgKeys, now) : done;
  }

  // API keys ---------------------------------------------------------------

  async insertKey(key: ApiKey, maxActive: number, now: number): Promise<InsertKeyResult> {
    assertStorableJson('metadata', key.metadata);
    const insert = async (): Promise<InsertKeyResult> => {
      if (!(await insertedOrDuplicate(() => this.models.ApiKey.create(keyToDoc(key)))))
        return 'duplicate';
      // Checked after the insert: a cascade that deletes the owner sweeps its keys again
      // once the owner is gone, so either that sweep sees this key or this check sees the
      // owner gone.
      let ownerThere: boolean;
      try {
        ownerThere = await this.ownerExists(key);
      } catch (err) {
        // Unknown whether the owner is there: keep nothing of a key the caller sees fail.
        await this.models.ApiKey.deleteOne({ _id: key.id }).then(undefined, () => undefined);
        throw err;
      }
      if (ownerThere) return 'inserted';
      await this.models.ApiKey.deleteOne({ _id: key.id });
      return 'owner_gone';
    };
    const owner = key.kind === 'personal' ? key.userId : key.kind === 'org' ? key.orgId : null;
    if (maxActive <= 0 || owner === null) return insert();
    // Count and insert under the owner's lock: see owner-lock.ts for why not a transaction.
    return this.locks.withLock(`${key.kind}:${owner}`, async () => {
      const active = await this.countKeys({
        kind: key.kind,
        ...(key.kind === 'personal' ? { userId: owner } : { orgId: owner }),
        state: 'current',
        now,
      });
      return active >= maxActive ? 'limit_reached' : insert();
    });
  }

  async findKeyById(id: string): Promise<ApiKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.ApiKey.findOne({ _id }).lean();
    return doc ? keyFromDoc(doc) : null;
  }

  async findKeyByDigest(digest: string): Promise<ApiKey | null> {
    const value = asId(digest);
    if (value === null) return null;
    const doc = await this.models.ApiKey.findOne({ digest: value }).lean();
    return doc ? keyFromDoc(doc) : null;
  }

  async findKeyForValidation(digest: string): Promise<KeyForValidation | null> {
    const key = await this.findKeyByDigest(digest);
    if (!key) return null;
    // Separate reads rather than one snapshot (MongoDB has those only inside transactions):
    // a change landing between them shows in the later reads only.
    const [user, org, memberships] = await Promise.all([
      key.userId === null ? null : this.findUserById(key.userId),
      key.orgId === null ? null : this.findOrgById(key.orgId),
      key.userId === null ? [] : this.membershipsWithOrgs(key.userId),
    ]);
    return {
      key: keyToValidate(key),
      user: user && userToValidate(user),
      org,
      memberships: user ? memberships : [],
    };
  }

  /** The user's memberships with their orgs; a membership whose org is gone is left out. */
  private async membershipsWithOrgs(userId: string): Promise<MembershipWithOrg[]> {
    const memberships = await this.listMembershipsOfUser(userId);
    const orgs = await this.findOrgsByIds(memberships.map((m) => m.orgId));
    const byId = new Map(orgs.map((o) => [o.id, o]));
    return memberships.flatMap((membership) => {
      const org = byId.get(membership.orgId);
      return org ? [{ membership, org }] : [];
    });
  }

  async listKeys(filter: KeyFilter, page: Page): Promise<Paged<ApiKey>> {
    const sort = { createdAt: -1, _id: 1 } as const;
    return this.paged(this.models.ApiKey, keyQuery(filter), sort, page, keyFromDoc);
  }

  async countKeys(filter: KeyFilter): Promise<number> {
    const query = keyQuery(filter);
    return query === null ? 0 : this.models.ApiKey.countDocuments(query);
  }

  async updateKey(id: string, patch: KeyPatch): Promise<ApiKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = pickSet(patch, ['displayName', 'expiresAt', 'metadata', 'rateLimit'] as const);
    if (Object.keys(set).length === 0) {
      const key = await this.findKeyById(_id);
      return key && key.archivedAt === null ? key : null;
    }
    if (set.metadata !== undefined) assertStorableJson('metadata', set.metadata);
    const doc = await this.models.ApiKey.findOneAndUpdate(
      { _id, archivedAt: null },
      { $set: set },
      AFTER,
    ).lean();
    return doc ? keyFromDoc(doc) : null;
  }

  async archiveKey(id: string, now: number): Promise<ApiKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.ApiKey.findOneAndUpdate(
      { _id, archivedAt: null },
      { $set: { archivedAt: now } },
      AFTER,
    ).lean();
    return doc ? keyFromDoc(doc) : null;
  }

  // Usage ------------------------------------------------------------------

  async recordUsage(increments: UsageIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    // $inc upserts: concurrent writers add up instead of overwriting each other.
    await this.models.Usage.bulkWrite(
      increments.map((inc) => ({
        updateOne: {
          filter: { keyId: String(inc.keyId), day: String(inc.day) },
          update: { $inc: { count: inc.count } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    // $max only ever moves last-used forward (and replaces null, which sorts below numbers).
    await this.models.ApiKey.bulkWrite(
      increments.map((inc) => ({
        updateOne: {
          filter: { _id: String(inc.keyId) },
          update: { $max: { lastUsedAt: inc.lastUsedAt } },
        },
      })),
      { ordered: false },
    );
  }

  async countUsage(day: string, filter: UsageFilter): Promise<number> {
    const d = asId(day);
    const match = await usageQuery(this.models.ApiKey, filter);
    if (d === null || match === null) return 0;
    const rows = await this.models.Usage.aggregate<{ total: number }>([
      { $match: { day: d, ...match } },
      { $group: { _id: null, total: { $sum: '$count' } } },
    ]);
    return rows[0]?.total ?? 0;
  }

  async usageByDay(
    fromDay: string,
    toDay: string,
    filter: UsageFilter,
  ): Promise<{ day: string; count: number }[]> {
    const from = asId(fromDay);
    const to = asId(toDay);
    const match = await usageQuery(this.models.ApiKey, filter);
    if (from === null || to === null || match === null) return [];
    const rows = await this.models.Usage.aggregate<{ _id: string; count: number }>([
      { $match: { day: { $gte: from, $lte: to }, ...match } },
      { $group: { _id: '$day', count: { $sum: '$count' } } },
      { $sort: { _id: 1 } },
    ]);
    return rows.map((r) => ({ day: r._id, count: r.count }));
  }

  // Settings ---------------------------------------------------------------

  async getSettings(): Promise<Settings> {
    const doc = await this.models.Settings.findOne({ _id: SETTINGS_ID }).lean();
    return { ...DEFAULT_SETTINGS, ...((doc?.data ?? {}) as Partial<Settings>) };
  }

  async saveSettings(settings: Settings): Promise<void> {
    await this.models.Settings.updateOne(
      { _id: SETTINGS_ID },
      { $set: { data: { ...settings } } },
      { upsert: true },
    );
  }

  // Audit ------------------------------------------------------------------

  async appendAudit(event: AuditEvent): Promise<void> {
    await this.models.Audit.create(auditToDoc(event));
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
    const query: Record<string, string> = {};
    let valid = true;
    for (const field of ['action', 'targetType', 'targetId', 'actor'] as const) {
      const value: unknown = filter[field];
      if (!value) continue;
      if (typeof value === 'string') query[field] = value;
      else valid = false;
    }
    const sort = { at: -1, _id: -1 } as const;
    return this.paged(this.models.Audit, valid ? query : null, sort, page, auditFromDoc);
  }

  // Admins -----------------------------------------------------------------

  async insertAdmin(admin: Admin): Promise<boolean> {
    return insertedOrDuplicate(() => this.models.Admin.create(adminToDoc(admin)));
  }

  async findAdminById(id: string): Promise<Admin | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.Admin.findOne({ _id }).lean();
    return doc ? adminFromDoc(doc) : null;
  }

  async findAdminByEmail(email: string): Promise<Admin | null> {
    const value = asId(email);
    if (value === null) return null;
    const doc = await this.models.Admin.findOne({ emailLower: value.toLowerCase() }).lean();
    return doc ? adminFromDoc(doc) : null;
  }

  async listAdmins(): Promise<Admin[]> {
    const docs = await this.models.Admin.find().sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map(adminFromDoc);
  }

  async updateAdmin(
    id: string,
    patch: Partial<Pick<Admin, 'passwordHash' | 'lastLoginAt'>>,
  ): Promise<Admin | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = pickSet(patch, ['passwordHash', 'lastLoginAt'] as const);
    if (Object.keys(set).length === 0) return this.findAdminById(_id);
    const doc = await this.models.Admin.findOneAndUpdate({ _id }, { $set: set }, AFTER).lean();
    return doc ? adminFromDoc(doc) : null;
  }

  async deleteAdmin(id: string): Promise<'deleted' | 'not_found' | 'last_admin'> {
    const _id = asId(id);
    if (_id === null) return 'not_found';
    const { Admin } = this.models;
    // Under one lock, so two admins deleting each other at once cannot leave none.
    return this.locks.withLock('admins', async () => {
      if (!(await Admin.exists({ _id }))) return 'not_found';
      if ((await Admin.countDocuments()) <= 1) return 'last_admin';
      await Admin.deleteOne({ _id });
      return 'deleted';
    });
  }

  async saveSetupToken(token: SetupToken): Promise<void> {
    await this.models.SetupToken.updateOne(
      { _id: String(token.digest) },
      { $set: { expiresAt: token.expiresAt } },
      { upsert: true },
    );
  }

  async consumeSetupToken(digest: string, now: number): Promise<boolean> {
    const _id = asId(digest);
    if (_id === null) return false;
    // One atomic delete: of two concurrent uses only one gets the document back.
    const doc = await this.models.SetupToken.findOneAndDelete({ _id }).lean();
    return doc !== null && doc.expiresAt > now;
  }

  // Integration keys -------------------------------------------------------

  async insertIntegrationKey(key: IntegrationKey): Promise<void> {
    await this.models.IntegrationKey.create(integrationKeyToDoc(key));
  }

  async findIntegrationKeyByDigest(digest: string): Promise<IntegrationKey | null> {
    const value = asId(digest);
    if (value === null) return null;
    const doc = await this.models.IntegrationKey.findOne({ digest: value }).lean();
    return doc ? integrationKeyFromDoc(doc) : null;
  }

  async listIntegrationKeys(): Promise<IntegrationKey[]> {
    const docs = await this.models.IntegrationKey.find().sort({ createdAt: -1, _id: 1 }).lean();
    return docs.map(integrationKeyFromDoc);
  }

  async archiveIntegrationKey(id: string, now: number): Promise<IntegrationKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.IntegrationKey.findOneAndUpdate(
      { _id, archivedAt: null },
      { $set: { archivedAt: now } },
      AFTER,
    ).lean();
    return doc ? integrationKeyFromDoc(doc) : null;
  }

  async touchIntegrationKey(id: string, now: number): Promise<void> {
    const _id = asId(id);
    if (_id === null) return;
    await this.models.IntegrationKey.updateOne({ _id }, { $set: { lastUsedAt: now } });
  }

  // Page sessions ----------------------------------------------------------

  async getSession(sid: string, now: number): Promise<SessionRecord | null> {
    const _id = asId(sid);
    if (_id === null) return null;
    const doc = await this.models.Session.findOne({ _id, expiresAt: { $gt: now } }).lean();
    return doc ? { data: doc.data, expiresAt: doc.expiresAt } : null;
  }

  async setSession(sid: string, record: SessionRecord): Promise<void> {
    const _id = asId(sid);
    if (_id === null) throw new Error('A session id must be a non-empty string.');
    await this.models.Session.updateOne(
      { _id },
      {
        $set: {
          data: String(record.data),
          expiresAt: record.expiresAt,
          expireAt: new Date(record.expiresAt * 1000),
        },
      },
      { upsert: true },
    );
  }

  async destroySession(sid: string): Promise<void> {
    const _id = asId(sid);
    if (_id === null) return;
    await this.models.Session.deleteOne({ _id });
  }

  async pruneSessions(now: number): Promise<number> {
    const result = await this.models.Session.deleteMany({ expiresAt: { $lte: now } });
    return result.deletedCount;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
