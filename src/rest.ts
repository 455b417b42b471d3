/** `latchkey/rest`: the backend REST API router, its OpenAPI document and integration keys. */
export { createBackendApi, type BackendApiOptions } from './http/rest/router';
export { BACKEND_API_PREFIX } from './http/rest/routes';
export { buildOpenApiDocument } from './http/openapi';
export type { CreatedIntegrationKey, IntegrationKeyView } from './core/integration-keys';
