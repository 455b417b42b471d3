import type { Admin, AuditEvent, BrandAsset, IntegrationKey, Settings, SetupToken } from '../types';
import type { Page, Paged } from './paging';

/** Each field an exact match; every id in `involving` must be one the event is about. */
export interface AuditQuery {
  action?: string;
  targetType?: AuditEvent['targetType'];
  targetId?: string;
  actor?: string;
  /**
   * Ids the event must be about: its target id, or one half of a membership's
   * "<orgId>:<userId>" or of "admin:<id>".
   */
  involving?: string[];
}

export interface AuditNameIds {
  userIds: string[];
  orgIds: string[];
  keyIds: string[];
  adminIds: string[];
  integrationKeyIds: string[];
}

export interface AuditNames {
  users: { id: string; email: string }[];
  orgs: { id: string; name: string }[];
  keys: { id: string; displayName: string; hint: string }[];
  admins: { id: string; email: string }[];
  integrationKeys: { id: string; name: string }[];
}

/** What the operators' side keeps: settings, the audit log, admins, integration keys and brand images. */
export interface AdminRecords {
  // Settings
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;

  // Audit log (append-only)
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(filter: AuditQuery, page: Page): Promise<Paged<AuditEvent>>;
  /** Names of the records audit events point at, read a kind at a time; unknown ids are left out. */
  findAuditNames(ids: AuditNameIds): Promise<AuditNames>;

  // Admins
  /** False when the email is taken. */
  insertAdmin(admin: Admin): Promise<boolean>;
  findAdminById(id: string): Promise<Admin | null>;
  findAdminByEmail(email: string): Promise<Admin | null>;
  listAdmins(): Promise<Admin[]>;
  updateAdmin(
    id: string,
    patch: Partial<Pick<Admin, 'passwordHash' | 'lastLoginAt'>>,
  ): Promise<Admin | null>;
  /** Refuses ('last_admin') to delete the only admin left. */
  deleteAdmin(id: string): Promise<'deleted' | 'not_found' | 'last_admin'>;
  saveSetupToken(token: SetupToken): Promise<void>;
  /** Deletes the token and reports whether it existed and was unexpired; one use only. */
  consumeSetupToken(digest: string, now: number): Promise<boolean>;

  // Integration keys
  insertIntegrationKey(key: IntegrationKey): Promise<void>;
  findIntegrationKeyByDigest(digest: string): Promise<IntegrationKey | null>;
  listIntegrationKeys(): Promise<IntegrationKey[]>;
  archiveIntegrationKey(id: string, now: number): Promise<IntegrationKey | null>;
  touchIntegrationKey(id: string, now: number): Promise<void>;

  // Brand images (logo, favicon), already checked by the core
  saveBrandAsset(asset: BrandAsset): Promise<void>;
  findBrandAsset(id: string): Promise<BrandAsset | null>;
}
