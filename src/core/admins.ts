import { randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { z } from 'zod';
import { audit, type Actor, type Core } from './context';
import { decoyHash, verifyPassword } from './passwords';
import { LatchkeyError } from './errors';
import { email, parseInput, password } from './inputs';
import { nowSeconds } from './time';
import { digestToken } from './token';
import type { Admin } from './types';

/** Dashboard operators: separate from end users, with their own accounts and sign-in. */

export type AdminView = Omit<Admin, 'passwordHash'>;
export const adminView = ({ passwordHash: _hidden, ...view }: Admin): AdminView => view;

const adminInput = z.object({ email, password }).strict();

/** What createAdmin takes: an email and a password of at least 8 characters. */
export type CreateAdminInput = z.input<typeof adminInput>;

/** How long a setup link works when nobody says otherwise. */
export const SETUP_TOKEN_TTL_SECONDS = 60 * 60;

export async function createAdmin(core: Core, input: unknown, by?: Actor): Promise<AdminView> {
  const data = parseInput(adminInput, input);
  const admin: Admin = {
    id: randomUUID(),
    email: data.email,
    passwordHash: await bcrypt.hash(data.password, core.bcryptCost),
    createdAt: nowSeconds(),
    lastLoginAt: null,
  };
  if (!(await core.store.insertAdmin(admin))) {
    throw new LatchkeyError('conflict', 'email: an admin with this email already exists', {
      email: ['an admin with this email already exists'],
    });
  }
  await audit(core, by, 'admin.created', 'settings', `admin:${admin.id}`, { email: admin.email });
  return adminView(admin);
}

/**
 * The admin with this email and password, or null; a match records the sign-in
 * (`lastLoginAt`, and the audit log). Unknown emails are checked against a decoy
 * hash so the time taken does not tell which emails exist.
 */
export async function verifyAdminSignIn(
  core: Core,
  emailAddress: unknown,
  plainPassword: unknown,
  by?: Actor,
): Promise<AdminView | null> {
  if (typeof plainPassword !== 'string') return null;
  const admin =
    typeof emailAddress === 'string' && emailAddress.length <= 320
      ? await core.store.findAdminByEmail(emailAddress.trim())
      : null;
  const ok = await verifyPassword(plainPassword, admin?.passwordHash ?? (await decoyHash(core)));
  if (!admin || !ok) return null;
  const updated = await core.store.updateAdmin(admin.id, { lastLoginAt: nowSeconds() });
  await audit(
    core,
    { actor: by?.actor ?? `admin:${admin.id}`, ip: by?.ip ?? null },
    'admin.signed_in',
    'settings',
    `admin:${admin.id}`,
  );
  return adminView(updated ?? admin);
}

/** The page sessions' owner name of an admin; see PageSessions.getOwnerStamp. */
export const adminSessionOwner = (adminId: string): string => `admin:${adminId}`;

export async function listAdmins(core: Core): Promise<AdminView[]> {
  return (await core.store.listAdmins()).map(adminView);
}

/** The admin with this id, or null. */
export async function findAdmin(core: Core, adminId: unknown): Promise<AdminView | null> {
  const admin = typeof adminId === 'string' ? await core.store.findAdminById(adminId) : null;
  return admin ? adminView(admin) : null;
}

export async function deleteAdmin(core: Core, adminId: unknown, by?: Actor): Promise<void> {
  const outcome = typeof adminId === 'string' ? await core.store.deleteAdmin(adminId) : 'not_found';
  if (outcome === 'not_found') throw LatchkeyError.fieldNotFound('adminId', 'no admin has this id');
  if (outcome === 'last_admin') {
    throw new LatchkeyError(
      'conflict',
      'This is the last admin and cannot be deleted. Add another admin first.',
    );
  }
  await audit(core, by, 'admin.deleted', 'settings', `admin:${adminId}`);
}

export const hasAdmin = async (core: Core): Promise<boolean> =>
  (await core.store.listAdmins()).length > 0;

/**
 * A random one-time token that lets the first admin register. Only its digest
 * is stored; it works once, and only until `ttlSeconds` have passed.
 */
export async function issueSetupToken(
  core: Core,
  ttlSeconds = SETUP_TOKEN_TTL_SECONDS,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await core.store.saveSetupToken({
    digest: digestToken(token),
    expiresAt: nowSeconds() + ttlSeconds,
  });
  return token;
}

/** True once for a live token; the token is gone afterwards whatever the answer. */
export async function consumeSetupToken(core: Core, token: unknown): Promise<boolean> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 200) return false;
  return core.store.consumeSetupToken(digestToken(token), nowSeconds());
}

/** The setup link to print at start, or null when an admin exists already. */
export async function setupLinkIfNoAdmin(
  core: Core,
  baseUrl: string,
  ttlSeconds = SETUP_TOKEN_TTL_SECONDS,
): Promise<string | null> {
  if (await hasAdmin(core)) return null;
  return `${baseUrl}/admin/setup?token=${await issueSetupToken(core, ttlSeconds)}`;
}
