import type { Admin, AuditEvent, IntegrationKey, Settings, SetupToken } from '../../core/types';
import { DEFAULT_SETTINGS } from '../../core/types';
import type { BrandAsset } from '../../core/branding-images';
import type {
  AdminRecords,
  AuditNameIds,
  AuditNames,
  AuditQuery,
  Page,
  Paged,
} from '../../core/store';
import {
  adminFromDoc,
  adminToDoc,
  auditFromDoc,
  auditToDoc,
  integrationKeyFromDoc,
  integrationKeyToDoc,
  pickSet,
} from './mappers';
import type { Models } from './models';
import type { OwnerLocks } from './owner-lock';
import { asId, asIds, escapeRegex } from './query-values';
import { AFTER, insertedOrDuplicate, paged } from './record-helpers';

const SETTINGS_ID = 'settings';
/** Brand images share the settings collection (a handful of small documents), under this id prefix. */
const BRAND_ASSET_PREFIX = 'brand-asset:';

/** Settings, the audit log, admins, setup tokens and integration keys on MongoDB. */
export class MongoAdminRecords implements AdminRecords {
  constructor(
    private readonly models: Models,
    private readonly locks: OwnerLocks,
  ) {}

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

  async listAudit(filter: AuditQuery, page: Page): Promise<Paged<AuditEvent>> {
    const query: Record<string, unknown> = {};
    let valid = true;
    for (const field of ['action', 'targetType', 'targetId', 'actor'] as const) {
      const value: unknown = filter[field];
      if (!value) continue;
      if (typeof value === 'string') query[field] = value;
      else valid = false;
    }
    const involving: unknown = filter.involving ?? [];
    if (!Array.isArray(involving) || !involving.every((id) => typeof id === 'string'))
      valid = false;
    else if (involving.length)
      query.$and = (involving as string[]).map((id) => ({
        $or: [
          { targetId: id },
          { targetId: new RegExp(`^${escapeRegex(id)}:`) },
          { targetId: new RegExp(`:${escapeRegex(id)}$`) },
        ],
      }));
    const sort = { at: -1, _id: -1 } as const;
    return paged(this.models.Audit, valid ? query : null, sort, page, auditFromDoc);
  }

  async findAuditNames(ids: AuditNameIds): Promise<AuditNames> {
    const { User, Org, ApiKey, Admin, IntegrationKey } = this.models;
    const inIds = (list: string[]) => ({ _id: { $in: [...new Set(asIds(list))] } });
    const [users, orgs, keys, admins, integrationKeys] = await Promise.all([
      User.find(inIds(ids.userIds), { email: 1 }).lean(),
      Org.find(inIds(ids.orgIds), { name: 1 }).lean(),
      ApiKey.find(inIds(ids.keyIds), { displayName: 1, hint: 1 }).lean(),
      Admin.find(inIds(ids.adminIds), { email: 1 }).lean(),
      IntegrationKey.find(inIds(ids.integrationKeyIds), { name: 1 }).lean(),
    ]);
    return {
      users: users.map((d) => ({ id: d._id, email: d.email })),
      orgs: orgs.map((d) => ({ id: d._id, name: d.name })),
      keys: keys.map((d) => ({ id: d._id, displayName: d.displayName, hint: d.hint })),
      admins: admins.map((d) => ({ id: d._id, email: d.email })),
      integrationKeys: integrationKeys.map((d) => ({ id: d._id, name: d.name })),
    };
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

  // Brand images -------------------------------------------------------------

  async saveBrandAsset(asset: BrandAsset): Promise<void> {
    const data = {
      contentType: asset.contentType,
      base64: Buffer.from(asset.bytes).toString('base64'),
      createdAt: asset.createdAt,
    };
    await this.models.Settings.updateOne(
      { _id: BRAND_ASSET_PREFIX + asset.id },
      { $set: { data } },
      { upsert: true },
    );
  }

  async findBrandAsset(id: string): Promise<BrandAsset | null> {
    if (typeof id !== 'string') return null;
    const doc = await this.models.Settings.findOne({ _id: BRAND_ASSET_PREFIX + id }).lean();
    const data = doc?.data as
      { contentType: string; base64: string; createdAt: number } | undefined;
    if (!data) return null;
    return {
      id,
      contentType: data.contentType as BrandAsset['contentType'],
      bytes: new Uint8Array(Buffer.from(data.base64, 'base64')),
      createdAt: data.createdAt,
    };
  }
}
