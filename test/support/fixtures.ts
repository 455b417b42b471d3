import { randomUUID } from 'node:crypto';
import { digestToken, generateToken, newKeyId, tokenHint } from '../../src/core/token';
import type { ApiKey, Membership, Org, User } from '../../src/core/types';

/** Builders for domain records with sensible defaults; tests override what they care about. */

let seq = 0;
const now = () => Math.floor(Date.now() / 1000);

export function aUser(overrides: Partial<User> = {}): User {
  seq++;
  return {
    id: randomUUID(),
    email: `user${seq}-${randomUUID().slice(0, 8)}@example.com`,
    emailConfirmed: true,
    passwordHash: null,
    pictureUrl: null,
    firstName: null,
    lastName: null,
    username: null,
    locked: false,
    enabled: true,
    mfaEnabled: false,
    canCreateOrgs: false,
    updatePasswordRequired: false,
    metadata: {},
    createdAt: now(),
    lastActiveAt: now(),
    ...overrides,
  };
}

export function anOrg(overrides: Partial<Org> = {}): Org {
  seq++;
  return {
    id: randomUUID(),
    name: `Org ${seq}`,
    urlSafeName: `org-${seq}-${randomUUID().slice(0, 8)}`,
    metadata: {},
    createdAt: now(),
    ...overrides,
  };
}

export function aMembership(user: User, org: Org, overrides: Partial<Membership> = {}): Membership {
  return { userId: user.id, orgId: org.id, role: 'Member', joinedAt: now(), ...overrides };
}

/** A key record plus the token it was made from. */
export function aKey(overrides: Partial<ApiKey> = {}): { key: ApiKey; token: string } {
  const token = generateToken('lk');
  const key: ApiKey = {
    id: newKeyId(),
    digest: digestToken(token),
    kind: 'generic',
    userId: null,
    orgId: null,
    displayName: 'A key',
    hint: tokenHint(token),
    metadata: {},
    expiresAt: null,
    createdAt: now(),
    lastUsedAt: null,
    archivedAt: null,
    imported: false,
    createdBy: 'library',
    rateLimit: null,
    scopes: null,
    allowedIps: null,
    remaining: null,
    refill: null,
    refilledAt: null,
    previousDigest: null,
    previousDigestExpiresAt: null,
    ...overrides,
  };
  return { key, token };
}
