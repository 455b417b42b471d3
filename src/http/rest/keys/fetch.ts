import { defineEndpoint } from '../endpoint';
import { apiKeyWire } from '../wire';
import { apiKey } from '../wire-schemas';

export const fetchKey = defineEndpoint({
  method: 'get',
  path: '/end_user_api_keys/{api_key_id}',
  operationId: 'fetchApiKey',
  summary: 'Fetch one API key (current or archived) by id',
  tag: 'API keys',
  response: apiKey,
  errors: [404],
  run: async (lk, { params }) => apiKeyWire(await lk.fetchApiKey(params.api_key_id ?? '')),
});
