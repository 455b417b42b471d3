import { z } from 'zod';
import type { Endpoint } from './rest/endpoint';
import { BACKEND_API_PREFIX, ENDPOINTS } from './rest/routes';
import { errorBody, fieldErrors, rateLimitBody } from './rest/wire-schemas';

/** The OpenAPI 3.1 document of the backend API, generated from the route table itself. */

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const PATH_PARAMS: Record<string, JsonSchema> = {
  api_key_id: {
    type: 'string',
    pattern: '^[0-9a-f]{32}$',
    description: '32 lowercase hex characters',
  },
  user_id: { type: 'string', format: 'uuid' },
  org_id: { type: 'string', format: 'uuid' },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: each named field with its messages',
  401: 'Missing, unknown or archived integration key',
  404: 'No such record (ids that are not well formed are unknown too)',
  409: 'Conflicts with the current state (e.g. a limit on active keys, or an archived key)',
  413: 'The request body is larger than the limit',
  429: 'Rate limited',
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function parametersOf(endpoint: Endpoint): JsonSchema[] {
  const params: JsonSchema[] = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    schema: PATH_PARAMS[name] ?? { type: 'string' },
  }));
  if (endpoint.query) {
    const query = schemaOf(endpoint.query, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  return params;
}

function operationOf(endpoint: Endpoint): JsonSchema {
  const statuses = new Set([...endpoint.errors, 401]);
  if (endpoint.body) statuses.add(400).add(413);
  if (endpoint.path.endsWith('/validate') || endpoint.path.endsWith('/validate_imported')) {
    statuses.add(429);
  }
  const responses: Record<string, JsonSchema> = {
    200: { description: 'OK', content: json(schemaOf(endpoint.response, 'output')) },
  };
  for (const status of [...statuses].sort()) {
    const body = status === 400 ? fieldErrors : status === 429 ? rateLimitBody : errorBody;
    responses[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: json(schemaOf(body, 'output')),
    };
  }
  const operation: JsonSchema = {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    tags: [endpoint.tag],
    parameters: parametersOf(endpoint),
    responses,
  };
  if (endpoint.body) {
    operation.requestBody = { required: true, content: json(schemaOf(endpoint.body, 'input')) };
  }
  return operation;
}

export function buildOpenApiDocument(endpoints: readonly Endpoint[] = ENDPOINTS) {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const endpoint of endpoints) {
    (paths[endpoint.path] ??= {})[endpoint.method] = operationOf(endpoint);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey backend API',
      version: '1',
      description:
        "Manage and validate end-user API keys, users and organizations from another backend. Compatible with PropelAuth's backend API paths and shapes. Authenticate with an integration key: `Authorization: Bearer <integration key>`.",
    },
    servers: [{ url: BACKEND_API_PREFIX }],
    security: [{ integrationKey: [] }],
    components: {
      securitySchemes: {
        integrationKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An integration key (lki_…) made in the admin dashboard or with the CLI.',
        },
      },
    },
    tags: [{ name: 'API keys' }, { name: 'Users' }, { name: 'Organizations' }],
    paths,
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
