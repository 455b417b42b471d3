import { z } from 'zod';

/**
 * Response shapes of the backend API, in PropelAuth's snake_case. The OpenAPI
 * document is generated from them and the route tests check answers against them.
 */

const json = z.record(z.string(), z.unknown());
const seconds = z.number().int();

export const orgMemberInfo = z.strictObject({
  org_id: z.string(),
  org_name: z.string(),
  url_safe_org_name: z.string(),
  org_metadata: json,
  org_role_structure: z.literal('single_role_in_hierarchy'),
  user_role: z.string(),
  inherited_user_roles_plus_current_role: z.array(z.string()),
  user_permissions: z.array(z.string()),
  additional_roles: z.array(z.string()),
});

/** A user as validation sees it (and the common part of every user answer). */
export const userMetadata = z.strictObject({
  user_id: z.string(),
  email: z.string(),
  email_confirmed: z.boolean(),
  has_password: z.boolean(),
  picture_url: z.string().nullable(),
  locked: z.boolean(),
  enabled: z.boolean(),
  mfa_enabled: z.boolean(),
  can_create_orgs: z.boolean(),
  created_at: seconds,
  last_active_at: seconds,
  update_password_required: z.boolean(),
  org_id_to_org_info: z.record(z.string(), orgMemberInfo).optional(),
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  username: z.string().nullable().optional(),
  properties: json.optional(),
});

export const userInOrg = userMetadata.extend({
  role_in_org: z.string(),
  additional_roles_in_org: z.array(z.string()),
});

export const usersInOrgPage = z.strictObject({
  users: z.array(userInOrg),
  total_users: z.number().int(),
  current_page: z.number().int(),
  page_size: z.number().int(),
  has_more_results: z.boolean(),
});

/** An org as a key validation returns it. */
export const orgSummary = z.strictObject({
  org_id: z.string(),
  name: z.string(),
  url_safe_org_slug: z.string(),
  metadata: json,
  is_saml_configured: z.boolean(),
});

export const organization = z.strictObject({
  org_id: z.string(),
  name: z.string(),
  url_safe_org_slug: z.string(),
  metadata: json,
  created_at: seconds,
  can_setup_saml: z.boolean(),
  is_saml_configured: z.boolean(),
  is_saml_in_test_mode: z.boolean(),
  extra_domains: z.array(z.string()),
  domain_autojoin: z.boolean(),
  domain_restrict: z.boolean(),
  password_rotation_enabled: z.boolean(),
  password_rotation_history_size: z.number().int(),
  password_rotation_period: z.number().int(),
});

export const createdOrg = z.strictObject({ org_id: z.string(), name: z.string() });
export const createdUser = z.strictObject({ user_id: z.string() });

export const apiKey = z.strictObject({
  api_key_id: z.string(),
  display_name: z.string(),
  kind: z.enum(['personal', 'org', 'generic']),
  user_id: z.string().nullable(),
  org_id: z.string().nullable(),
  metadata: json,
  expires_at_seconds: seconds.nullable(),
  created_at: seconds,
  last_used_at: seconds.nullable(),
  archived_at: seconds.nullable(),
  imported: z.boolean(),
  hint: z.string(),
  created_by: z.string(),
  /** Latchkey extension: the scopes held; null = the default set (a key stored before scopes). */
  scopes: z.array(z.string()).nullable(),
  /** Latchkey extension: addresses and CIDR ranges the key may be used from; null = anywhere. */
  allowed_ips: z.array(z.string()).nullable(),
  // Latchkey extensions: quota and rolling.
  remaining_uses: z.number().int().nullable(),
  refill: z
    .strictObject({ amount: z.number().int(), interval: z.enum(['day', 'month']) })
    .nullable(),
  next_refill_at_seconds: seconds.nullable(),
  previous_token_expires_at_seconds: seconds.nullable(),
});

export const apiKeyPage = z.strictObject({
  api_keys: z.array(apiKey),
  total_api_keys: z.number().int(),
  current_page: z.number().int(),
  page_size: z.number().int(),
  has_more_results: z.boolean(),
});

export const createdApiKey = z.strictObject({ api_key_id: z.string(), api_key_token: z.string() });
export const importedApiKey = z.strictObject({ api_key_id: z.string() });

export const apiKeyValidation = z.strictObject({
  api_key_id: z.string(),
  metadata: json,
  /** Latchkey extension: the scopes the key holds. */
  scopes: z.array(z.string()).readonly().optional(),
  /** Latchkey extension: true when the key has a usage quota (each validation spends from it). */
  metered: z.literal(true).optional(),
  user: userMetadata.optional(),
  org: orgSummary.optional(),
  user_in_org: orgMemberInfo.optional(),
});

export const usageCount = z.strictObject({ count: z.number().int() });
export const empty = z.strictObject({});

// Error bodies -----------------------------------------------------------------

/**
 * 400: field name → messages, as PropelAuth's clients parse them. A refused key call
 * (limit reached, kind turned off, already exists, archived) also carries its `error` code
 * and `message` beside the field naming the reason.
 */
export const fieldErrors = z.union([
  z.record(z.string(), z.array(z.string())),
  z.object({ error: z.string(), message: z.string() }).catchall(z.array(z.string())),
]);
export const errorBody = z.strictObject({ error: z.string(), message: z.string() });
export const rateLimitBody = z.strictObject({
  wait_seconds: z.number(),
  user_facing_error: z.string(),
  error_code: z.enum(['rate_limit_exceeded', 'usage_exceeded']),
});

export type UserMetadataWire = z.output<typeof userMetadata>;
export type OrgMemberInfoWire = z.output<typeof orgMemberInfo>;
export type OrgSummaryWire = z.output<typeof orgSummary>;
export type ApiKeyWire = z.output<typeof apiKey>;
export type ApiKeyValidationWire = z.output<typeof apiKeyValidation>;
export type OrganizationWire = z.output<typeof organization>;
