import type { Paged } from './store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { cascadeEvents, newEvent } from './events';
import { isUuid, parseInput, role as roleSchema } from './inputs';
import { requireOrg } from './orgs';
import { pageOf, type PageRequest } from './paging';
import { nowSeconds } from './time';
import type { Membership, Org, OrgRole, User } from './types';
import { requireUser } from './users';

/** Who belongs to which org with which role, and the key cascade leaving implies. */

const notAMember = () =>
  LatchkeyError.fieldNotFound('userId', 'the user is not a member of this organization');

export async function addMember(
  core: Core,
  orgId: unknown,
  userId: unknown,
  role: unknown,
  by?: Actor,
): Promise<Membership> {
  const org = await requireOrg(core, orgId);
  const user = await requireUser(core, userId);
  const validRole = parseInput(roleSchema, role, 'role') as OrgRole;
  const existing = await core.store.findMembership(user.id, org.id);
  const membership: Membership = {
    userId: user.id,
    orgId: org.id,
    role: validRole,
    joinedAt: existing?.joinedAt ?? nowSeconds(),
  };
  await core.store.upsertMembership(membership);
  core.validator.forgetAll();
  await audit(
    core,
    by,
    existing ? 'membership.role_changed' : 'membership.added',
    'membership',
    `${org.id}:${user.id}`,
    {
      orgId: org.id,
      userId: user.id,
      role: validRole,
    },
  );
  return membership;
}

export async function changeRole(
  core: Core,
  orgId: unknown,
  userId: unknown,
  role: unknown,
  by?: Actor,
): Promise<Membership> {
  const org = await requireOrg(core, orgId);
  const user = await requireUser(core, userId);
  if (!(await core.store.findMembership(user.id, org.id))) throw notAMember();
  return addMember(core, org.id, user.id, role, by);
}

/**
 * Removes a member; when "revoke org keys when their creator leaves" is on,
 * the org keys they created are archived in the same step.
 */
export async function removeMember(
  core: Core,
  orgId: unknown,
  userId: unknown,
  by?: Actor,
): Promise<{ archivedKeyIds: string[] }> {
  const org = await requireOrg(core, orgId);
  const user = await requireUser(core, userId);
  const result = await core.store.removeMemberAndArchiveTheirOrgKeys(
    org.id,
    user.id,
    nowSeconds(),
    core.settings().revokeOrgKeysWhenCreatorLeaves,
    cascadeEvents(
      newEvent('org.member_removed', {
        orgId: org.id,
        userId: user.id,
        actor: by?.actor ?? 'library',
      }),
      'creator_left',
      by,
    ),
  );
  if (!result) throw notAMember();
  core.validator.forgetAll();
  await audit(core, by, 'membership.removed', 'membership', `${org.id}:${user.id}`, {
    orgId: org.id,
    userId: user.id,
    archivedKeyIds: result.archivedKeyIds,
  });
  return result;
}

/** The user's membership of the org, or null when they are not a member (or either id is unknown). */
export async function findMembership(
  core: Core,
  orgId: unknown,
  userId: unknown,
): Promise<Membership | null> {
  if (!isUuid(orgId) || !isUuid(userId)) return null;
  return core.store.findMembership(userId.toLowerCase(), orgId.toLowerCase());
}

export async function membershipsOfUser(
  core: Core,
  userId: unknown,
): Promise<{ membership: Membership; org: Org }[]> {
  const user = await requireUser(core, userId);
  const memberships = await core.store.listMembershipsOfUser(user.id);
  const orgs = new Map(
    (await core.store.findOrgsByIds(memberships.map((m) => m.orgId))).map((o) => [o.id, o]),
  );
  return memberships.flatMap((membership) => {
    const org = orgs.get(membership.orgId);
    return org ? [{ membership, org }] : [];
  });
}

export async function membersOfOrg(
  core: Core,
  orgId: unknown,
  page?: PageRequest,
): Promise<Paged<{ membership: Membership; user: User }>> {
  const org = await requireOrg(core, orgId);
  const result = await core.store.listMembershipsOfOrg(org.id, pageOf(page));
  const items = [];
  for (const membership of result.items) {
    const user = await core.store.findUserById(membership.userId);
    if (user) items.push({ membership, user });
  }
  return { items, total: result.total };
}
