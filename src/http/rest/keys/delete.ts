import { LatchkeyError } from '../../../core/errors';
import { defineEndpoint } from '../endpoint';
import { empty } from '../wire-schemas';

export const deleteKey = defineEndpoint({
  method: 'delete',
  path: '/end_user_api_keys/{api_key_id}',
  operationId: 'deleteApiKey',
  summary:
    'Delete (archive) an API key: it stops validating at once and stays listable as archived',
  tag: 'API keys',
  response: empty,
  errors: [404],
  run: async (lk, { params, by }) => {
    const key = await lk.fetchApiKey(params.api_key_id ?? '');
    // An archived key is already deleted as far as callers are concerned.
    if (key.archivedAt !== null) throw LatchkeyError.notFound('API key');
    await lk.archiveApiKey(key.id, by);
    return {};
  },
});
