import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../../../core/paging';
import { orgInfo } from '../../../core/identity';
import { role } from '../../../core/inputs';
import type { Membership, User } from '../../../core/types';
import type { Latchkey } from '../../../latchkey';
import { defineEndpoint } from '../endpoint';
import { booleanFlag, pageQuery } from '../fields';
import { userWire } from '../wire';
import { usersInOrgPage } from '../wire-schemas';

type Member = { membership: Membership; user: User };

/** Every member of the org with one role; orgs are small enough to filter in memory. */
async function membersWithRole(lk: Latchkey, orgId: string, wanted: string): Promise<Member[]> {
  const out: Member[] = [];
  for (let pageNumber = 0; ; pageNumber++) {
    const page = await lk.fetchUsersInOrg(orgId, { pageSize: MAX_PAGE_SIZE, pageNumber });
    out.push(...page.items.filter((m) => m.membership.role === wanted));
    if ((pageNumber + 1) * MAX_PAGE_SIZE >= page.total) return out;
  }
}

export const fetchUsersInOrg = defineEndpoint({
  method: 'get',
  path: '/user/org/{org_id}',
  operationId: 'fetchUsersInOrg',
  summary:
    'List the members of an org with their role, a page at a time (optionally one role only)',
  tag: 'Users',
  query: z
    .object({ ...pageQuery, include_orgs: booleanFlag.optional(), role: role.optional() })
    .strict(),
  response: usersInOrgPage,
  errors: [400, 404],
  run: async (lk, { params, query: q }) => {
    const orgId = params.org_id ?? '';
    const pageSize = q.page_size ?? 10;
    const pageNumber = q.page_number ?? 0;
    let items: Member[];
    let total: number;
    if (q.role) {
      const all = await membersWithRole(lk, orgId, q.role);
      total = all.length;
      items = all.slice(pageSize * pageNumber, pageSize * (pageNumber + 1));
    } else {
      ({ items, total } = await lk.fetchUsersInOrg(orgId, { pageSize, pageNumber }));
    }
    const settings = lk.getSettings();
    const users = [];
    for (const { membership, user } of items) {
      const orgs =
        q.include_orgs === 'true'
          ? (await lk.fetchOrgsOfUser(user.id)).map(({ membership: m, org }) => ({
              org,
              info: orgInfo(org, m, settings),
            }))
          : undefined;
      users.push({
        ...userWire(user, orgs),
        role_in_org: membership.role,
        additional_roles_in_org: [],
      });
    }
    return {
      users,
      total_users: total,
      current_page: pageNumber,
      page_size: pageSize,
      has_more_results: pageSize * pageNumber + items.length < total,
    };
  },
});
