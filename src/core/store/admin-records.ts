import type { Admin, AuditEvent, IntegrationKey, Settings, SetupToken } from '../types';
import type { BrandAsset } from '../branding-images';
import type { Page, Paged } from './paging';

/** What the operators' side keeps: settings, the audit log, admins, integration keys and brand images. */
export interface AdminRecords {
  // Settings
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;

  // Audit log (append-only)
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(
    filter: {
      action?: string;
      targetType?: AuditEvent['targetType'];
      targetId?: string;
      actor?: string;
    },
    page: Page,
  ): Promise<Paged<AuditEvent>>;

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
