import { randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Core } from './context';
import { MAX_PASSWORD_BYTES } from './inputs';

export async function hashPassword(core: Core, password: string): Promise<string> {
  return bcrypt.hash(password, core.bcryptCost);
}

/** Checks a password; refuses over-long ones rather than letting bcrypt truncate them. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  return bcrypt.compare(password, hash);
}

const decoys = new WeakMap<Core, Promise<string>>();

/**
 * A hash of a random password at this core's cost, made once: a sign-in with an unknown
 * email is checked against it, so the time taken does not tell which emails exist.
 */
export function decoyHash(core: Core): Promise<string> {
  let decoy = decoys.get(core);
  if (!decoy) {
    decoy = bcrypt.hash(randomBytes(16).toString('hex'), core.bcryptCost);
    decoys.set(core, decoy);
  }
  return decoy;
}

/**
 * Ends every page session of `owner` (`user:<id>`, `admin:<id>`), in every process: each
 * session keeps the stamp its owner had at sign-in, and a new one no longer matches it.
 */
export async function endSessionsOf(core: Core, owner: string): Promise<void> {
  await core.store.setOwnerStamp(owner, randomUUID());
}
