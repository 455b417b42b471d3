import type { UserToValidate } from './store';
import type { JsonObject, Membership, Org, OrgRole, Settings } from './types';

/** What a valid key says about its caller, in the shapes of PropelAuth's API (times in unix seconds). */

export interface OrgInfo {
  orgId: string;
  orgName: string;
  urlSafeOrgName: string;
  userAssignedRole: OrgRole;
  userPermissions: string[];
}

export interface UserInfo {
  userId: string;
  email: string;
  emailConfirmed: boolean;
  hasPassword: boolean;
  pictureUrl: string | null;
  locked: boolean;
  enabled: boolean;
  mfaEnabled: boolean;
  canCreateOrgs: boolean;
  createdAt: number;
  lastActiveAt: number;
  orgIdToOrgInfo: Record<string, OrgInfo>;
  updatePasswordRequired: boolean;
}

export interface OrgSummary {
  orgId: string;
  orgName: string;
  urlSafeOrgName: string;
  metadata: JsonObject;
}

export interface PersonalKeyIdentity {
  /** The scopes the key holds; present only when the product declares scopes. */
  scopes?: readonly string[];
  /** Present (true) when the key has a usage quota: each validation spends from it. */
  metered?: true;
  kind: 'personal';
  apiKeyId: string;
  user: UserInfo;
  metadata: JsonObject;
}

export interface OrgKeyIdentity {
  /** The scopes the key holds; present only when the product declares scopes. */
  scopes?: readonly string[];
  /** Present (true) when the key has a usage quota: each validation spends from it. */
  metered?: true;
  kind: 'org';
  apiKeyId: string;
  org: OrgSummary;
  user?: UserInfo;
  userInOrg?: OrgInfo;
  metadata: JsonObject;
}

export interface GenericKeyIdentity {
  /** The scopes the key holds; present only when the product declares scopes. */
  scopes?: readonly string[];
  /** Present (true) when the key has a usage quota: each validation spends from it. */
  metered?: true;
  kind: 'generic';
  apiKeyId: string;
  metadata: JsonObject;
}

export type ApiKeyIdentity = PersonalKeyIdentity | OrgKeyIdentity | GenericKeyIdentity;

export const CAN_MANAGE_API_KEYS = 'can_manage_api_keys';

const KEY_MANAGER: string[] = Object.freeze([CAN_MANAGE_API_KEYS]) as string[];
const NONE: string[] = Object.freeze([]) as unknown as string[];

/**
 * Permissions follow from the role and the admin's choice of who manages org keys.
 * One frozen list for each answer, shared by every membership.
 */
export function permissionsOf(role: OrgRole, settings: Settings): string[] {
  return settings.orgKeyManagerRoles.includes(role) ? KEY_MANAGER : NONE;
}

/**
 * The metadata of the org behind each OrgInfo built here. The seed's orgIdToOrgInfo has
 * none, so it is not a property; the REST API's answers carry it as PropelAuth's
 * `org_metadata`.
 */
const orgMetadataByInfo = new WeakMap<OrgInfo, JsonObject>();

export const orgMetadataOf = (info: OrgInfo): JsonObject => orgMetadataByInfo.get(info) ?? {};

/**
 * The builders below answer frozen values, so a verdict can be shared by every request
 * that presents its key; only metadata, whose shape is the integrator's, is walked.
 */
export function orgInfo(org: Org, membership: Membership, settings: Settings): OrgInfo {
  const info: OrgInfo = Object.freeze({
    orgId: org.id,
    orgName: org.name,
    urlSafeOrgName: org.urlSafeName,
    userAssignedRole: membership.role,
    userPermissions: permissionsOf(membership.role, settings),
  });
  orgMetadataByInfo.set(info, org.metadata);
  return info;
}

export function userInfo(
  user: UserToValidate,
  memberships: { membership: Membership; org: Org }[],
  settings: Settings,
): UserInfo {
  const orgIdToOrgInfo: Record<string, OrgInfo> = {};
  for (const { membership, org } of memberships)
    orgIdToOrgInfo[org.id] = orgInfo(org, membership, settings);
  Object.freeze(orgIdToOrgInfo);
  return Object.freeze({
    userId: user.id,
    email: user.email,
    emailConfirmed: user.emailConfirmed,
    hasPassword: user.hasPassword,
    pictureUrl: user.pictureUrl,
    locked: user.locked,
    enabled: user.enabled,
    mfaEnabled: user.mfaEnabled,
    canCreateOrgs: user.canCreateOrgs,
    createdAt: user.createdAt,
    lastActiveAt: user.lastActiveAt,
    orgIdToOrgInfo,
    updatePasswordRequired: user.updatePasswordRequired,
  });
}

/**
 * An org key's identity. `user` and `userInOrg` (the creator) come only while the creator
 * exists and is still a member of the key's org: someone who left it is not named as the
 * caller of that org's key.
 */
export function orgKeyIdentity(
  apiKeyId: string,
  metadata: JsonObject,
  held: { scopes?: readonly string[]; metered?: true } | undefined,
  org: Org,
  creator: UserToValidate | null,
  memberships: { membership: Membership; org: Org }[],
  settings: Settings,
): OrgKeyIdentity {
  const identity: OrgKeyIdentity = {
    kind: 'org',
    apiKeyId,
    metadata,
    ...held,
    org: orgSummary(org),
  };
  const inOrg = creator ? memberships.find((m) => m.org.id === org.id) : undefined;
  if (creator && inOrg) {
    identity.user = userInfo(creator, memberships, settings);
    identity.userInOrg = orgInfo(org, inOrg.membership, settings);
  }
  return Object.freeze(identity);
}

export function orgSummary(org: Org): OrgSummary {
  return Object.freeze({
    orgId: org.id,
    orgName: org.name,
    urlSafeOrgName: org.urlSafeName,
    metadata: deepFreeze(org.metadata),
  });
}

/** Freezes a value and everything it holds, so no holder can alter what others receive. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for...in rather than Object.values(): no array to allocate per object.
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
