import { z } from 'zod';
import { defineEndpoint } from '../endpoint';
import { refusedOn } from '../errors';
import { createdApiKey } from '../wire-schemas';

const body = z.object({ expire_old_in_seconds: z.number().optional() }).strict();

/** A Latchkey extension: PropelAuth has no way to replace a key's token. */
export const rollKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/{api_key_id}/roll',
  operationId: 'rollApiKey',
  summary:
    'Give a key a new token (in this answer only) with the same id, metadata, limits and quota; the old token keeps validating for expire_old_in_seconds (default 0), then fails as expired. A Latchkey extension.',
  tag: 'API keys',
  body,
  response: createdApiKey,
  errors: [400, 404],
  fieldNames: { expireOldInSeconds: 'expire_old_in_seconds' },
  run: async (lk, { params, body: b, by }) => {
    const options =
      b.expire_old_in_seconds === undefined ? {} : { expireOldInSeconds: b.expire_old_in_seconds };
    const rolled = await lk
      .rollApiKey(params.api_key_id ?? '', options, by)
      .catch(refusedOn('api_key_id'));
    return { api_key_id: rolled.apiKeyId, api_key_token: rolled.apiKeyToken };
  },
});
