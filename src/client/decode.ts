import type {
  ApiKeyIdentity,
  OrgInfo,
  OrgKeyIdentity,
  OrgSummary,
  UserInfo,
} from '../core/identity';
import type { JsonObject, OrgRole } from '../core/types';
import { FAILURE_REASONS, type FailureReason } from '../core/validation-result';
import type {
  ApiKeyValidationWire,
  OrgMemberInfoWire,
  OrgSummaryWire,
  UserMetadataWire,
} from '../http/rest/wire-schemas';
import { LatchkeyClientError } from './transport';

/** The backend API's validation answers → the same identities the in-process validator returns. */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function orgInfoOf(w: OrgMemberInfoWire): OrgInfo {
  return {
    orgId: w.org_id,
    orgName: w.org_name,
    urlSafeOrgName: w.url_safe_org_name,
    userAssignedRole: w.user_role as OrgRole,
    userPermissions: w.user_permissions,
  };
}

function userOf(w: UserMetadataWire): UserInfo {
  return {
    userId: w.user_id,
    email: w.email,
    emailConfirmed: w.email_confirmed,
    hasPassword: w.has_password,
    pictureUrl: w.picture_url ?? null,
    locked: w.locked,
    enabled: w.enabled,
    mfaEnabled: w.mfa_enabled,
    canCreateOrgs: w.can_create_orgs,
    createdAt: w.created_at,
    lastActiveAt: w.last_active_at,
    orgIdToOrgInfo: Object.fromEntries(
      Object.entries(w.org_id_to_org_info ?? {}).map(([id, info]) => [id, orgInfoOf(info)]),
    ),
    updatePasswordRequired: w.update_password_required,
  };
}

function orgOf(w: OrgSummaryWire): OrgSummary {
  return {
    orgId: w.org_id,
    orgName: w.name,
    urlSafeOrgName: w.url_safe_org_slug,
    metadata: w.metadata,
  };
}

/** A 200 answer of validate: an org means an org key, a user alone a personal key, neither a generic one. */
export function identityOf(body: unknown): ApiKeyIdentity {
  if (!isObject(body) || typeof body.api_key_id !== 'string' || !isObject(body.metadata)) {
    throw new LatchkeyClientError('protocol', 'Latchkey answered a validation in an unknown shape');
  }
  const w = body as unknown as ApiKeyValidationWire;
  const base = {
    apiKeyId: w.api_key_id,
    metadata: w.metadata as JsonObject,
    ...(Array.isArray(w.scopes) && {
      scopes: w.scopes.filter((s): s is string => typeof s === 'string'),
    }),
    ...(w.metered === true && { metered: true as const }),
  };
  if (isObject(w.org)) {
    const identity: OrgKeyIdentity = { kind: 'org', ...base, org: orgOf(w.org) };
    if (isObject(w.user)) identity.user = userOf(w.user);
    if (isObject(w.user_in_org)) identity.userInOrg = orgInfoOf(w.user_in_org);
    return identity;
  }
  if (isObject(w.user)) return { kind: 'personal', ...base, user: userOf(w.user) };
  return { kind: 'generic', ...base };
}

const REASON_OF_MESSAGE = new Map<string, FailureReason>(
  Object.entries(FAILURE_REASONS).map(([reason, message]) => [message, reason as FailureReason]),
);

/** A 400 answer of validate names `api_key_token` with the reason's message. */
export function failureReasonOf(body: unknown): FailureReason {
  const messages = isObject(body) ? body.api_key_token : undefined;
  const message = Array.isArray(messages) && typeof messages[0] === 'string' ? messages[0] : '';
  return REASON_OF_MESSAGE.get(message) ?? 'not_found';
}
