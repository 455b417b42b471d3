import type { ClientSession, Connection, QueryFilter } from 'mongoose';
import type { KeyKind, Membership, Org, User } from '../../core/types';
import type {
  CascadeEvents,
  DirectoryRecords,
  OutboxEvent,
  OrgPatch,
  Page,
  Paged,
  UserPatch,
} from '../../core/store';
import { insertOutboxEvents } from './event-models';
import { archiveMatchingKeys, sweptAgain } from './key-archiving';
import {
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
import { asId, asIds, assertStorableJson, containsRegex } from './query-values';
import { AFTER, insertedOrDuplicate, paged } from './record-helpers';
import { inTransactionIfSupported } from './transactions';

/**
 * Users, orgs and memberships on MongoDB. Each cascade archives the keys it takes
 * along before removing their owner, in a transaction when the deployment has them
 * and otherwise step by step, every step safe to run again (see transactions.ts).
 */
export class MongoDirectoryRecords implements DirectoryRecords {
  constructor(
    private readonly connection: Connection,
    private readonly models: Models,
    private readonly useTransactions: boolean,
  ) {}

  private cascade<T>(work: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    return inTransactionIfSupported(this.connection, this.useTransactions, work);
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
    return paged(this.models.User, query, { createdAt: 1, _id: 1 }, page, userFromDoc);
  }

  async updateUser(
    id: string,
    patch: UserPatch,
    events?: OutboxEvent[],
  ): Promise<User | null | 'email_taken'> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = userPatchToSet(patch);
    if (Object.keys(set).length === 0) return this.findUserById(_id);
    if (set.metadata !== undefined) assertStorableJson('metadata', set.metadata);
    try {
      const doc = await this.models.User.findOneAndUpdate({ _id }, { $set: set }, AFTER).lean();
      if (doc) await insertOutboxEvents(this.models.WebhookEvent, events);
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
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const { User, Membership, ApiKey } = this.models;
    // Keys first, the user last: a run cut short leaves the user in place, and running again finishes the job.
    const kinds: KeyKind[] = archiveCreatedOrgKeys ? ['personal', 'org'] : ['personal'];
    const theirKeys: QueryFilter<ApiKeyDoc> = { userId: _id, kind: { $in: kinds } };
    const done = await this.cascade(async (session) => {
      if (!(await User.exists({ _id }).session(session ?? null))) return null;
      const archived = await archiveMatchingKeys(ApiKey, theirKeys, now, session);
      await insertOutboxEvents(this.models.WebhookEvent, events?.(archived), session);
      await Membership.deleteMany({ userId: _id }, { session });
      await User.deleteOne({ _id }, { session });
      return { archivedKeyIds: archived.map((k) => k.id) };
    });
    return sweptAgain(ApiKey, done, theirKeys, now);
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
    return paged(this.models.Org, query, { createdAt: 1, _id: 1 }, page, orgFromDoc);
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
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const { Org, Membership, ApiKey } = this.models;
    const done = await this.cascade(async (session) => {
      if (!(await Org.exists({ _id }).session(session ?? null))) return null;
      const archived = await archiveMatchingKeys(ApiKey, { orgId: _id }, now, session);
      await insertOutboxEvents(this.models.WebhookEvent, events?.(archived), session);
      await Membership.deleteMany({ orgId: _id }, { session });
      await Org.deleteOne({ _id }, { session });
      return { archivedKeyIds: archived.map((k) => k.id) };
    });
    return sweptAgain(ApiKey, done, { orgId: _id }, now);
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
    return paged(
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
    events?: CascadeEvents,
  ): Promise<{ archivedKeyIds: string[] } | null> {
    const o = asId(orgId);
    const u = asId(userId);
    if (o === null || u === null) return null;
    const { Membership, ApiKey } = this.models;
    const theirOrgKeys: QueryFilter<ApiKeyDoc> = { kind: 'org', orgId: o, userId: u };
    // Keys first, the membership last, so a run cut short can simply be run again.
    const done = await this.cascade(async (session) => {
      if (!(await Membership.exists({ userId: u, orgId: o }).session(session ?? null))) return null;
      const archived = archiveTheirOrgKeys
        ? await archiveMatchingKeys(ApiKey, theirOrgKeys, now, session)
        : [];
      await insertOutboxEvents(this.models.WebhookEvent, events?.(archived), session);
      await Membership.deleteOne({ userId: u, orgId: o }, { session });
      return { archivedKeyIds: archived.map((k) => k.id) };
    });
    return archiveTheirOrgKeys ? sweptAgain(ApiKey, done, theirOrgKeys, now) : done;
  }
}
