import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Paged } from './store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import {
  createOrgInput,
  createUserInput,
  isUuid,
  MAX_PASSWORD_BYTES,
  parseInput,
  password as passwordSchema,
  role as roleSchema,
  updateOrgInput,
  updateUserInput,
} from './inputs';
import { nowSeconds } from './time';
import type { Membership, Org, OrgRole, User } from './types';

/** Users, orgs and memberships, with the key cascades each change implies. */

// An unknown user, org or membership is not_found naming the field, as createApiKey names it.
const unknownUser = () => LatchkeyError.fieldNotFound('userId', 'no user has this id');
const unknownOrg = () => LatchkeyError.fieldNotFound('orgId', 'no organization has this id');
const notAMember = () =>
  LatchkeyError.fieldNotFound('userId', 'the user is not a member of this organization');

export interface PageRequest {
  pageSize?: number;
  pageNumber?: number;
}

export const MAX_PAGE_SIZE = 1000;

export function pageOf(req: PageRequest = {}): {
  limit: number;
  offset: number;
  pageSize: number;
  pageNumber: number;
} {
  const pageSize = req?.pageSize ?? 10;
  const pageNumber = req?.pageNumber ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw LatchkeyError.field('pageSize', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber > 1_000_000) {
    throw LatchkeyError.field('pageNumber', 'must be a whole number, 0 or more');
  }
  return { limit: pageSize, offset: pageSize * pageNumber, pageSize, pageNumber };
}

export async function hashPassword(core: Core, password: string): Promise<string> {
  return bcrypt.hash(password, core.bcryptCost);
}

/** Checks a password; refuses over-long ones rather than letting bcrypt truncate them. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  return bcrypt.compare(password, hash);
}

async function requireUser(core: Core, userId: unknown): Promise<User> {
  const user = isUuid(userId) ? await core.store.findUserById(userId) : null;
  if (!user) throw unknownUser();
  return user;
}

async function requireOrg(core: Core, orgId: unknown): Promise<Org> {
  const org = isUuid(orgId) ? await core.store.findOrgById(orgId) : null;
  if (!org) throw unknownOrg();
  return org;
}

/** A "contains" filter goes to the store as text, so anything else is refused here. */
function textFilter(filter: unknown, name: string): string | undefined {
  const value = (filter as Record<string, unknown> | null | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 320)
    throw LatchkeyError.field(name, 'must be text of at most 320 characters');
  return value;
}

// Users ---------------------------------------------------------------------

export async function createUser(core: Core, input: unknown, by?: Actor): Promise<User> {
  const data = parseInput(createUserInput, input);
  const now = nowSeconds();
  const user: User = {
    id: randomUUID(),
    email: data.email,
    emailConfirmed: data.emailConfirmed ?? true,
    passwordHash: data.password ? await hashPassword(core, data.password) : null,
    pictureUrl: data.pictureUrl ?? null,
    firstName: data.firstName ?? null,
    lastName: data.lastName ?? null,
    username: data.username ?? null,
    locked: false,
    enabled: true,
    mfaEnabled: false,
    canCreateOrgs: data.canCreateOrgs ?? false,
    updatePasswordRequired: data.updatePasswordRequired ?? false,
    metadata: data.metadata ?? {},
    createdAt: now,
    lastActiveAt: now,
  };
  if (!(await core.store.insertUser(user))) {
    throw new LatchkeyError('conflict', 'email: a user with this email already exists', {
      email: ['a user with this email already exists'],
    });
  }
  await audit(core, by, 'user.created', 'user', user.id, { email: user.email });
  return user;
}

export const getUser = (core: Core, userId: unknown): Promise<User> => requireUser(core, userId);

export async function findUserByEmail(core: Core, email: unknown): Promise<User | null> {
  return typeof email === 'string' && email.length <= 320
    ? core.store.findUserByEmail(email.trim())
    : null;
}

export async function listUsers(
  core: Core,
  filter: { emailContains?: string },
  page?: PageRequest,
): Promise<Paged<User>> {
  const p = pageOf(page);
  return core.store.listUsers({ emailContains: textFilter(filter, 'emailContains') }, p);
}

async function patchUser(
  core: Core,
  userId: unknown,
  patch: Partial<User>,
  action: string,
  by?: Actor,
): Promise<User> {
  const user = await requireUser(core, userId);
  const updated = await core.store.updateUser(user.id, patch);
  if (updated === 'email_taken') {
    throw new LatchkeyError('conflict', 'email: a user with this email already exists', {
      email: ['a user with this email already exists'],
    });
  }
  if (!updated) throw unknownUser();
  core.validator.forgetAll();
  const { passwordHash: _hidden, ...visible } = patch;
  await audit(core, by, action, 'user', user.id, visible as Record<string, unknown>);
  return updated;
}

export async function updateUser(
  core: Core,
  userId: unknown,
  input: unknown,
  by?: Actor,
): Promise<User> {
  const data = parseInput(updateUserInput, input);
  return patchUser(core, userId, data as Partial<User>, 'user.updated', by);
}

export async function setUserPassword(
  core: Core,
  userId: unknown,
  password: unknown,
  by?: Actor,
): Promise<User> {
  const valid = parseInput(passwordSchema, password, 'password');
  return patchUser(
    core,
    userId,
    { passwordHash: await hashPassword(core, valid), updatePasswordRequired: false },
    'user.password_set',
    by,
  );
}

export const setUserEnabled = (
  core: Core,
  userId: unknown,
  enabled: boolean,
  by?: Actor,
): Promise<User> =>
  patchUser(core, userId, { enabled }, enabled ? 'user.enabled' : 'user.disabled', by);

export const setUserLocked = (
  core: Core,
  userId: unknown,
  locked: boolean,
  by?: Actor,
): Promise<User> =>
  patchUser(core, userId, { locked }, locked ? 'user.locked' : 'user.unlocked', by);

/** Deleting a user archives their personal keys (and their org keys when the leave rule is on). */
export async function deleteUser(
  core: Core,
  userId: unknown,
  by?: Actor,
): Promise<{ archivedKeyIds: string[] }> {
  const user = await requireUser(core, userId);
  const result = await core.store.deleteUserAndArchiveKeys(
    user.id,
    nowSeconds(),
    core.settings().revokeOrgKeysWhenCreatorLeaves,
  );
  if (!result) throw unknownUser();
  core.validator.forgetAll();
  await audit(core, by, 'user.deleted', 'user', user.id, {
    email: user.email,
    archivedKeyIds: result.archivedKeyIds,
  });
  return result;
}

// Orgs ----------------------------------------------------------------------

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug || 'org';
}

export async function createOrg(core: Core, input: unknown, by?: Actor): Promise<Org> {
  const data = parseInput(createOrgInput, input);
  const base = data.urlSafeName ?? slugify(data.name);
  const org: Org = {
    id: randomUUID(),
    name: data.name,
    urlSafeName: base,
    metadata: data.metadata ?? {},
    createdAt: nowSeconds(),
  };
  // An explicit url-safe name must be free; a derived one gets a numeric suffix when taken.
  for (let attempt = 1; !(await core.store.insertOrg(org)); attempt++) {
    if (data.urlSafeName || attempt > 50) {
      throw new LatchkeyError(
        'conflict',
        'urlSafeName: an organization with this name already exists',
        {
          urlSafeName: ['an organization with this name already exists'],
        },
      );
    }
    org.urlSafeName = `${base}-${attempt + 1}`;
  }
  await audit(core, by, 'org.created', 'org', org.id, { name: org.name });
  return org;
}

export const getOrg = (core: Core, orgId: unknown): Promise<Org> => requireOrg(core, orgId);

export async function listOrgs(
  core: Core,
  filter: { nameContains?: string },
  page?: PageRequest,
): Promise<Paged<Org>> {
  const nameContains = textFilter(filter, 'nameContains');
  return core.store.listOrgs({ nameContains }, pageOf(page));
}

export async function updateOrg(
  core: Core,
  orgId: unknown,
  input: unknown,
  by?: Actor,
): Promise<Org> {
  const org = await requireOrg(core, orgId);
  const data = parseInput(updateOrgInput, input);
  const updated = await core.store.updateOrg(org.id, data);
  if (updated === 'name_taken') {
    throw new LatchkeyError(
      'conflict',
      'urlSafeName: an organization with this name already exists',
      {
        urlSafeName: ['an organization with this name already exists'],
      },
    );
  }
  if (!updated) throw unknownOrg();
  core.validator.forgetAll();
  await audit(core, by, 'org.updated', 'org', org.id, data);
  return updated;
}

/** Deleting an org archives every key of the org. */
export async function deleteOrg(
  core: Core,
  orgId: unknown,
  by?: Actor,
): Promise<{ archivedKeyIds: string[] }> {
  const org = await requireOrg(core, orgId);
  const result = await core.store.deleteOrgAndArchiveKeys(org.id, nowSeconds());
  if (!result) throw unknownOrg();
  core.validator.forgetAll();
  await audit(core, by, 'org.deleted', 'org', org.id, {
    name: org.name,
    archivedKeyIds: result.archivedKeyIds,
  });
  return result;
}

// Memberships ---------------------------------------------------------------

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
