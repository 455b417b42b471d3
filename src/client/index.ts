/** `latchkey/client`: validate API keys against a Latchkey server from another service. */
export {
  createLatchkeyClient,
  DEFAULT_CLIENT_CACHE_TTL_MS,
  DEFAULT_CLIENT_TIMEOUT_MS,
  type LatchkeyClient,
  type LatchkeyClientOptions,
} from './client';
export { LatchkeyClientError } from './transport';
export type { RolledKey } from './key-roll';
export { FAILURE_REASONS, type FailureReason, type Validation } from '../core/validation-result';
export type {
  ApiKeyIdentity,
  GenericKeyIdentity,
  OrgInfo,
  OrgKeyIdentity,
  OrgSummary,
  PersonalKeyIdentity,
  UserInfo,
} from '../core/identity';
export type { RequireApiKeyOptions } from '../middleware/require-api-key';
export type { ValidationRequest } from '../core/key-policies';
