import type { Core } from './context';
import type { ApiKey } from './types';

/** Org members fetched per page while looking for the key managers. */
const MEMBER_PAGE = 200;

/**
 * Who is emailed about a key: for a personal key its user; for an org key the member who
 * created it and every member whose role may manage the org's keys (the
 * orgKeyManagerRoles setting). Disabled users are left out; a generic key has nobody.
 */
export async function recipientsOfKey(core: Core, key: ApiKey): Promise<string[]> {
  const userIds = new Set<string>();
  if (key.userId) userIds.add(key.userId);
  if (key.kind === 'org' && key.orgId) {
    const managers = new Set(core.settings().orgKeyManagerRoles);
    for (let offset = 0; ; offset += MEMBER_PAGE) {
      const page = await core.store.listMembershipsOfOrg(key.orgId, {
        limit: MEMBER_PAGE,
        offset,
      });
      for (const m of page.items) if (managers.has(m.role)) userIds.add(m.userId);
      if (page.items.length < MEMBER_PAGE) break;
    }
  }
  const emails = new Set<string>();
  for (const id of userIds) {
    const user = await core.store.findUserById(id);
    if (user && user.enabled) emails.add(user.email);
  }
  return [...emails];
}
