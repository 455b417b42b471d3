import { z } from 'zod';
import { defineEndpoint } from '../endpoint';
import { pageQuery, uuid } from '../fields';
import { apiKeyPageWire } from '../wire';
import { apiKeyPage } from '../wire-schemas';

const query = z
  .object({
    org_id: uuid.optional(),
    user_id: uuid.optional(),
    user_email: z.string().max(320, 'is too long').optional(),
    ...pageQuery,
  })
  .strict();

function listEndpoint(archived: boolean) {
  return defineEndpoint({
    method: 'get',
    path: archived ? '/end_user_api_keys/archived' : '/end_user_api_keys',
    operationId: archived ? 'fetchArchivedApiKeys' : 'fetchCurrentApiKeys',
    summary: archived
      ? 'List archived (revoked or deleted) API keys'
      : 'List API keys that are not archived (expired ones included)',
    tag: 'API keys',
    query,
    response: apiKeyPage,
    errors: [400],
    run: async (lk, { query: q }) =>
      apiKeyPageWire(
        await lk.listApiKeys({
          orgId: q.org_id,
          userId: q.user_id,
          userEmail: q.user_email,
          pageSize: q.page_size,
          pageNumber: q.page_number,
          archived,
        }),
      ),
  });
}

export const listCurrentKeys = listEndpoint(false);
export const listArchivedKeys = listEndpoint(true);
