import type { ApiKey } from '../../core/types';
import type {
  InsertKeyResult,
  OutboxEvent,
  KeyFilter,
  KeyForValidation,
  KeyPatch,
  KeyRecords,
  MembershipWithOrg,
  Page,
  Paged,
} from '../../core/store';
import { keyToValidate, userToValidate } from '../../core/store';
import { insertOutboxEvents } from './event-models';
import { keyFromDoc, keyToDoc, pickSet } from './mappers';
import type { Models } from './models';
import type { MongoDirectoryRecords } from './mongo-directory-records';
import type { OwnerLocks } from './owner-lock';
import type { MongoCapabilities } from './capabilities';
import { MongoKeyQuota } from './mongo-key-quota';
import { keyQuery } from './queries';
import { asId, assertStorableJson } from './query-values';
import { AFTER, insertedOrDuplicate, paged } from './record-helpers';

let lastSeq = 0;

/**
 * A key's insertion order, like an ObjectId's: the time in milliseconds times 1000 plus a
 * count, so it grows with every insert in this process and with time across processes.
 */
export function nextKeySeq(nowMs: number = Date.now()): number {
  lastSeq = Math.max(lastSeq + 1, nowMs * 1000);
  return lastSeq;
}

/** API keys on MongoDB: issuing under the active-key limit, the validation read, archiving. */
export class MongoKeyRecords implements Omit<KeyRecords, 'leaseUses' | 'returnUses' | 'rollKey'> {
  readonly quota: MongoKeyQuota;

  constructor(
    private readonly models: Models,
    private readonly directory: MongoDirectoryRecords,
    private readonly locks: OwnerLocks,
    capabilities?: MongoCapabilities,
  ) {
    // A server that loses concurrent updates of one document gets its quota changes in turn.
    this.quota = new MongoKeyQuota(models, capabilities?.atomicUpdates === false ? locks : null);
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

  async insertKey(
    key: ApiKey,
    maxActive: number,
    now: number,
    events?: OutboxEvent[],
  ): Promise<InsertKeyResult> {
    assertStorableJson('metadata', key.metadata);
    const insert = async (): Promise<InsertKeyResult> => {
      const doc = { ...keyToDoc(key), seq: nextKeySeq() };
      if (!(await insertedOrDuplicate(() => this.models.ApiKey.create(doc)))) return 'duplicate';
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
      if (ownerThere) {
        await insertOutboxEvents(this.models.WebhookEvent, events);
        return 'inserted';
      }
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
    const key = await this.findByDigestOrPrevious(digest);
    if (!key) return null;
    // Separate reads rather than one snapshot (MongoDB has those only inside transactions):
    // a change landing between them shows in the later reads only.
    const [user, org, memberships] = await Promise.all([
      key.userId === null ? null : this.directory.findUserById(key.userId),
      key.orgId === null ? null : this.directory.findOrgById(key.orgId),
      key.userId === null ? [] : this.membershipsWithOrgs(key.userId),
    ]);
    return {
      key: keyToValidate(key),
      user: user && userToValidate(user),
      org,
      memberships: user ? memberships : [],
    };
  }

  /**
   * The key with this digest, or (in the same query) the rolled key that had it, expiring no
   * later than the end of that digest's grace period.
   */
  private async findByDigestOrPrevious(digest: string): Promise<ApiKey | null> {
    const value = asId(digest);
    if (value === null) return null;
    const doc = await this.models.ApiKey.findOne({
      $or: [{ digest: value }, { previousDigest: value }],
    }).lean();
    if (!doc) return null;
    const key = keyFromDoc(doc);
    if (key.digest === value || key.previousDigest !== value) return key;
    const graceEnds = key.previousDigestExpiresAt ?? 0;
    return { ...key, expiresAt: Math.min(key.expiresAt ?? graceEnds, graceEnds) };
  }

  /** The user's memberships with their orgs; a membership whose org is gone is left out. */
  private async membershipsWithOrgs(userId: string): Promise<MembershipWithOrg[]> {
    const memberships = await this.directory.listMembershipsOfUser(userId);
    const orgs = await this.directory.findOrgsByIds(memberships.map((m) => m.orgId));
    const byId = new Map(orgs.map((o) => [o.id, o]));
    return memberships.flatMap((membership) => {
      const org = byId.get(membership.orgId);
      return org ? [{ membership, org }] : [];
    });
  }

  async listKeys(filter: KeyFilter, page: Page): Promise<Paged<ApiKey>> {
    // `seq` orders keys made in the same second; keys stored before it existed have none.
    const sort = { createdAt: -1, seq: -1, _id: 1 } as const;
    return paged(this.models.ApiKey, keyQuery(filter), sort, page, keyFromDoc);
  }

  async countKeys(filter: KeyFilter): Promise<number> {
    const query = keyQuery(filter);
    return query === null ? 0 : this.models.ApiKey.countDocuments(query);
  }

  async updateKey(id: string, patch: KeyPatch, events?: OutboxEvent[]): Promise<ApiKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const set = pickSet(patch, [
      'displayName',
      'expiresAt',
      'metadata',
      'rateLimit',
      'scopes',
      'allowedIps',
      'remaining',
      'refill',
      'refilledAt',
    ] as const);
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
    if (doc) await insertOutboxEvents(this.models.WebhookEvent, events);
    return doc ? keyFromDoc(doc) : null;
  }

  /**
   * Single-document writes run without a transaction, so their events are written just
   * after the change: as durable as the change itself on a deployment without transactions.
   */
  async archiveKey(id: string, now: number, events?: OutboxEvent[]): Promise<ApiKey | null> {
    const _id = asId(id);
    if (_id === null) return null;
    const doc = await this.models.ApiKey.findOneAndUpdate(
      { _id, archivedAt: null },
      { $set: { archivedAt: now } },
      AFTER,
    ).lean();
    if (doc) await insertOutboxEvents(this.models.WebhookEvent, events);
    return doc ? keyFromDoc(doc) : null;
  }
}
