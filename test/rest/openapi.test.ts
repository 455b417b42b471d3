import request from 'supertest';
import { buildOpenApiDocument } from '../../src/http/openapi';
import { createBackendApi, expressPath } from '../../src/http/rest/router';
import { makeApp, makeLatchkey } from '../support/harness';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** "METHOD /path" for every route the Express router really registered. */
async function registeredRoutes(): Promise<string[]> {
  const lk = await makeLatchkey();
  const router = createBackendApi(lk) as unknown as { stack: RouteLayer[] };
  await lk.close();
  return router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${layer.route?.path}`)
      : [],
  );
}

function documentedRoutes(): string[] {
  const doc = buildOpenApiDocument();
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${expressPath(path)}`),
  );
}

describe('OpenAPI document', () => {
  it('documents every registered route and no route that does not exist', async () => {
    const registered = await registeredRoutes();
    const documented = documentedRoutes();
    expect(registered.length).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it('is served at /api/openapi.json as OpenAPI 3.1 without authentication', async () => {
    const { app, latchkey } = await makeApp();
    const res = await request(app).get('/api/openapi.json');
    await latchkey.close();
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: '/api/backend/v1' }]);
    expect(Object.keys(res.body.paths)).toContain('/end_user_api_keys/validate');
  });

  it('gives every operation a unique id, a success schema, the 401 answer and its path parameters', () => {
    const doc = buildOpenApiDocument();
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops) as {
        operationId: string;
        parameters: { name: string; in: string }[];
        responses: Record<string, { content?: unknown }>;
      }[]) {
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.responses['200']?.content).toBeDefined();
        expect(op.responses['401']).toBeDefined();
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
      }
    }
  });

  it('describes request bodies strictly, as the server enforces them', () => {
    const doc = buildOpenApiDocument();
    const create = doc.paths['/end_user_api_keys']?.post as {
      requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } };
    };
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining([
        'user_id',
        'org_id',
        'expires_at_seconds',
        'metadata',
        'display_name',
      ]),
    );
  });
});
