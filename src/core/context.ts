import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { ScopeCatalog } from './scopes';
import type { Store } from './store';
import { nowSeconds } from './time';
import type { AuditEvent, JsonObject, Settings } from './types';
import type { Validator } from './validator';

/** Who is acting, for the audit log. Defaults to the embedding code itself. */
export interface Actor {
  /** "user:<id>", "admin:<id>", "integration:<id>", "cli" or "library". */
  actor?: string;
  ip?: string | null;
}

/** What the management functions share. */
export interface Core {
  store: Store;
  settings(): Settings;
  validator: Validator;
  logger: Logger;
  bcryptCost: number;
  /** The product's declared scopes. */
  scopes: ScopeCatalog;
}

export async function audit(
  core: Core,
  by: Actor | undefined,
  action: string,
  targetType: AuditEvent['targetType'],
  targetId: string,
  details: JsonObject = {},
): Promise<void> {
  await core.store.appendAudit({
    id: randomUUID(),
    at: nowSeconds(),
    actor: by?.actor ?? 'library',
    action,
    targetType,
    targetId,
    ip: by?.ip ?? null,
    details,
  });
}
