export { createLatchkey, type Latchkey, type LatchkeyOptions } from './latchkey';
export { createApp } from './app';
export { createHostedPages, type HostedPagesOptions } from './http/pages/hosted-pages';
export type { ResolveUser } from './http/pages/current-user';
export { createAdminPages, type AdminPagesOptions } from './http/admin/admin-pages';
export { createAdmin, setupLinkIfNoAdmin } from './core/admins';
export { startServer } from './server';
export { loadConfig, type Config } from './config';
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
export type { ApiKeyView, CreatedKey, KeyList } from './core/keys';
export type { Settings, KeyKind, OrgRole, User, Org, Membership } from './core/types';
export type { Store } from './core/store';
export { createSqliteStore } from './store/sqlite';
export {
  createMongoStore,
  createPageSessionStore,
  watchKeyChanges,
  type CreateMongoStoreOptions,
  type KeyChange,
} from './store/mongo';
export type { RequireApiKeyOptions } from './http/require-api-key';
export {
  rateLimitBackend,
  memoryRateLimits,
  type RateLimitBackend,
  type LimiterFactory,
  type LimiterSpec,
} from './core/rate-limits';
export { sqliteRateLimits, mongoRateLimits } from './store/shared-rate-limits';
export type { RateLimit } from './core/types';
export { createBackendApi, type BackendApiOptions } from './http/rest/router';
export { BACKEND_API_PREFIX } from './http/rest/routes';
export { buildOpenApiDocument } from './http/openapi';
export type { CreatedIntegrationKey, IntegrationKeyView } from './core/integration-keys';
