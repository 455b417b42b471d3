import type { Core } from './context';
import { LatchkeyError } from './errors';
import { pageOf, type PageRequest } from './paging';
import type { Paged } from './store';
import type { AuditEvent } from './types';

/** Reading the audit log every management function writes to. */

export interface AuditFilter {
  action?: string;
  targetType?: AuditEvent['targetType'];
  targetId?: string;
  /** "user:<id>", "admin:<id>", "integration:<id>", "cli", "system" or "library". */
  actor?: string;
}

const TARGET_TYPES: readonly unknown[] = ['key', 'user', 'org', 'membership', 'settings'];

/** Events newest first, each filter an exact match. */
export async function listAuditEvents(
  core: Core,
  filter: AuditFilter = {},
  page?: PageRequest,
): Promise<Paged<AuditEvent>> {
  const f = (filter ?? {}) as Record<string, unknown>;
  for (const name of ['action', 'targetId', 'actor']) {
    const value = f[name];
    if (value !== undefined && (typeof value !== 'string' || value.length > 320))
      throw LatchkeyError.field(name, 'must be text of at most 320 characters');
  }
  if (f.targetType !== undefined && !TARGET_TYPES.includes(f.targetType))
    throw LatchkeyError.field('targetType', 'must be key, user, org, membership or settings');
  const { action, targetType, targetId, actor } = filter ?? {};
  return core.store.listAudit({ action, targetType, targetId, actor }, pageOf(page));
}
