import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Paged } from './store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { cascadeEvents, newEvent, userEvents } from './events';
import {
  createUserInput,
  isUuid,
  parseInput,
  password as passwordSchema,
  updateUserInput,
} from './inputs';
import { pageOf, textFilter, type PageRequest } from './paging';
import { decoyHash, endSessionsOf, hashPassword, verifyPassword } from './passwords';
import { nowSeconds } from './time';
import type { User } from './types';

/** End users: accounts, passwords and sign-in, with the key cascades each change implies. */

export type CreateUserInput = z.input<typeof createUserInput>;
export type UpdateUserInput = z.input<typeof updateUserInput>;

// An unknown user is not_found naming the field, as createApiKey names it.
export const unknownUser = () => LatchkeyError.fieldNotFound('userId', 'no user has this id');

const emailTaken = () =>
  new LatchkeyError('conflict', 'email: a user with this email already exists', {
    email: ['a user with this email already exists'],
  });

export async function requireUser(core: Core, userId: unknown): Promise<User> {
  const user = isUuid(userId) ? await core.store.findUserById(userId) : null;
  if (!user) throw unknownUser();
  return user;
}

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
  if (!(await core.store.insertUser(user))) throw emailTaken();
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
  const updated = await core.store.updateUser(user.id, patch, userEvents(user, patch, by));
  if (updated === 'email_taken') throw emailTaken();
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
  const updated = await patchUser(
    core,
    userId,
    { passwordHash: await hashPassword(core, valid), updatePasswordRequired: false },
    'user.password_set',
    by,
  );
  // After the new hash is stored: a sign-in that read the old stamp is refused, and
  // one that reads the new stamp was checked against the new password.
  await endSessionsOf(core, userSessionOwner(updated.id));
  return updated;
}

/** The page sessions' owner name of a user; see PageSessions.getOwnerStamp. */
export const userSessionOwner = (userId: string): string => `user:${userId}`;

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
    cascadeEvents(
      newEvent('user.deleted', { userId: user.id, actor: by?.actor ?? 'library' }),
      'user_deleted',
      by,
    ),
  );
  if (!result) throw unknownUser();
  core.validator.forgetAll();
  await audit(core, by, 'user.deleted', 'user', user.id, {
    email: user.email,
    archivedKeyIds: result.archivedKeyIds,
  });
  return result;
}

/**
 * The user with this email and password, or null (no such user, no password set, or the
 * wrong one). Unknown emails are checked against a decoy hash, so the time taken does
 * not tell which emails exist. Whether the account may sign in (disabled, locked) is the
 * caller's to decide.
 */
export async function verifyUserSignIn(
  core: Core,
  email: unknown,
  password: unknown,
): Promise<User | null> {
  if (typeof password !== 'string') return null;
  const user = await findUserByEmail(core, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash(core)));
  return user && user.passwordHash && ok ? user : null;
}

/** Notes a sign-in: the user's `lastActiveAt` becomes now, and the audit log says who and from where. */
export async function recordSignIn(core: Core, userId: unknown, by?: Actor): Promise<User> {
  const user = await requireUser(core, userId);
  const updated = await core.store.updateUser(user.id, { lastActiveAt: nowSeconds() });
  if (!updated || updated === 'email_taken') throw unknownUser();
  const actor = { actor: by?.actor ?? `user:${user.id}`, ip: by?.ip ?? null };
  await audit(core, actor, 'user.signed_in', 'user', user.id);
  return updated;
}
