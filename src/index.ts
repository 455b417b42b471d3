/**
 * `latchkey`: the library and its middleware. The routers, the MongoDB store, the remote
 * client and the standalone server have entries of their own (latchkey/pages, /admin, /rest,
 * /mongo, /client, /server), so a host loads only what it uses.
 */
export { createLatchkey, type Latchkey, type LatchkeyOptions } from './latchkey';
export { LatchkeyError, ERROR_CODES, type ErrorCode } from './core/errors';
export { FAILURE_REASONS, type FailureReason, type Validation } from './core/validation-result';
export type {
  ApiKeyIdentity,
  PersonalKeyIdentity,
  OrgKeyIdentity,
  GenericKeyIdentity,
  UserInfo,
  OrgInfo,
  OrgSummary,
} from './core/identity';
export type { ApiKeyView, CreatedKey } from './core/keys';
export type { KeyList } from './core/key-lists';
export type { Settings, KeyKind, OrgRole, User, Org, Membership, RateLimit } from './core/types';
export type { Store } from './core/store';
export type { Consistency } from './core/strict-consistency';
export { createSqliteStore } from './store/sqlite';
export type { RequireApiKeyOptions } from './middleware/require-api-key';
export type { ScopeDefinition, ScopesOption, ScopeCatalog } from './core/scopes';
export type { ValidationRequest } from './core/key-policies';
export {
  rateLimitBackend,
  memoryRateLimits,
  type RateLimitBackend,
  type LimiterFactory,
  type LimiterSpec,
} from './core/rate-limits';
export { sqliteRateLimits } from './store/shared-rate-limits';
