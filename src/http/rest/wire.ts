import {
  orgMetadataOf,
  type ApiKeyIdentity,
  type OrgInfo,
  type OrgSummary,
  type UserInfo,
} from '../../core/identity';
import type { KeyList } from '../../core/key-lists';
import type { ApiKeyView } from '../../core/keys';
import { ORG_ROLES, type JsonObject, type Org, type OrgRole, type User } from '../../core/types';
import type {
  ApiKeyValidationWire,
  ApiKeyWire,
  OrganizationWire,
  OrgMemberInfoWire,
  OrgSummaryWire,
  UserMetadataWire,
} from './wire-schemas';

/** Domain records → PropelAuth-shaped snake_case answers. Pure functions, one per shape. */

/** Roles form one hierarchy (Owner > Admin > Member); a role includes every role below it. */
export function rolesAtOrBelow(role: OrgRole): string[] {
  const index = ORG_ROLES.indexOf(role);
  return index < 0 ? [role] : ORG_ROLES.slice(index);
}

/** `orgMetadata` defaults to the metadata the validator noted for this OrgInfo. */
export function orgMemberInfoWire(
  info: OrgInfo,
  orgMetadata: JsonObject = orgMetadataOf(info),
): OrgMemberInfoWire {
  return {
    org_id: info.orgId,
    org_name: info.orgName,
    url_safe_org_name: info.urlSafeOrgName,
    org_metadata: orgMetadata,
    org_role_structure: 'single_role_in_hierarchy',
    user_role: info.userAssignedRole,
    inherited_user_roles_plus_current_role: rolesAtOrBelow(info.userAssignedRole),
    user_permissions: info.userPermissions,
    additional_roles: [],
  };
}

function orgMapWire(orgs: Record<string, OrgInfo>): Record<string, OrgMemberInfoWire> {
  return Object.fromEntries(
    Object.entries(orgs).map(([id, info]) => [id, orgMemberInfoWire(info)]),
  );
}

/** The user a validation returns (no names or properties: validation stays lean). */
export function userInfoWire(user: UserInfo): UserMetadataWire {
  return {
    user_id: user.userId,
    email: user.email,
    email_confirmed: user.emailConfirmed,
    has_password: user.hasPassword,
    picture_url: user.pictureUrl,
    locked: user.locked,
    enabled: user.enabled,
    mfa_enabled: user.mfaEnabled,
    can_create_orgs: user.canCreateOrgs,
    created_at: user.createdAt,
    last_active_at: user.lastActiveAt,
    update_password_required: user.updatePasswordRequired,
    org_id_to_org_info: orgMapWire(user.orgIdToOrgInfo),
  };
}

/** A stored user; `orgs` only when the caller asked for `include_orgs`. */
export function userWire(
  user: User,
  orgs?: { info: OrgInfo; org: Org }[],
): UserMetadataWire & { properties: Record<string, unknown> } {
  const wire: UserMetadataWire & { properties: Record<string, unknown> } = {
    user_id: user.id,
    email: user.email,
    email_confirmed: user.emailConfirmed,
    has_password: user.passwordHash !== null,
    picture_url: user.pictureUrl,
    locked: user.locked,
    enabled: user.enabled,
    mfa_enabled: user.mfaEnabled,
    can_create_orgs: user.canCreateOrgs,
    created_at: user.createdAt,
    last_active_at: user.lastActiveAt,
    update_password_required: user.updatePasswordRequired,
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    properties: user.metadata,
  };
  if (orgs) {
    wire.org_id_to_org_info = Object.fromEntries(
      orgs.map(({ info, org }) => [org.id, orgMemberInfoWire(info, org.metadata)]),
    );
  }
  return wire;
}

export function orgSummaryWire(org: OrgSummary): OrgSummaryWire {
  return {
    org_id: org.orgId,
    name: org.orgName,
    url_safe_org_slug: org.urlSafeOrgName,
    metadata: org.metadata,
    is_saml_configured: false,
  };
}

export function organizationWire(org: Org): OrganizationWire {
  return {
    org_id: org.id,
    name: org.name,
    url_safe_org_slug: org.urlSafeName,
    metadata: org.metadata,
    created_at: org.createdAt,
    can_setup_saml: false,
    is_saml_configured: false,
    is_saml_in_test_mode: false,
    extra_domains: [],
    domain_autojoin: false,
    domain_restrict: false,
    password_rotation_enabled: false,
    password_rotation_history_size: 0,
    password_rotation_period: 0,
  };
}

export function apiKeyWire(key: ApiKeyView): ApiKeyWire {
  return {
    api_key_id: key.id,
    display_name: key.displayName,
    kind: key.kind,
    user_id: key.userId,
    org_id: key.orgId,
    metadata: key.metadata,
    expires_at_seconds: key.expiresAt,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    archived_at: key.archivedAt,
    imported: key.imported,
    hint: key.hint,
    created_by: key.createdBy,
    // Latchkey extensions.
    scopes: key.scopes,
    allowed_ips: key.allowedIps,
    remaining_uses: key.remaining,
    refill: key.refill,
    next_refill_at_seconds: key.nextRefillAt,
    previous_token_expires_at_seconds: key.previousDigestExpiresAt,
  };
}

export function apiKeyPageWire(list: KeyList) {
  return {
    api_keys: list.keys.map(apiKeyWire),
    total_api_keys: list.total,
    current_page: list.pageNumber,
    page_size: list.pageSize,
    has_more_results: list.hasMore,
  };
}

export function validationWire(identity: ApiKeyIdentity): ApiKeyValidationWire {
  const wire: ApiKeyValidationWire = {
    api_key_id: identity.apiKeyId,
    metadata: identity.metadata,
  };
  if (identity.scopes) wire.scopes = identity.scopes;
  if (identity.metered) wire.metered = true;
  if (identity.kind === 'personal') wire.user = userInfoWire(identity.user);
  if (identity.kind === 'org') {
    wire.org = orgSummaryWire(identity.org);
    if (identity.user) wire.user = userInfoWire(identity.user);
    if (identity.userInOrg)
      wire.user_in_org = orgMemberInfoWire(identity.userInOrg, identity.org.metadata);
  }
  return wire;
}
