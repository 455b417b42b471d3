import { z } from 'zod';
import { displayName } from '../../../core/inputs';
import { defineEndpoint } from '../endpoint';
import { expiresAtSeconds, metadata, uuid } from '../fields';
import { createdApiKey } from '../wire-schemas';

const body = z
  .object({
    org_id: uuid.optional(),
    user_id: uuid.optional(),
    expires_at_seconds: expiresAtSeconds.nullable().optional(),
    metadata: metadata.optional(),
    display_name: displayName.optional(),
  })
  .strict();

export const createKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys',
  operationId: 'createApiKey',
  summary:
    'Create an API key: personal (user_id), org (org_id, optionally with the creating user_id) or generic (neither). The token is in this answer only.',
  tag: 'API keys',
  body,
  response: createdApiKey,
  errors: [400, 409],
  run: async (lk, { body: b, by }) => {
    const created = await lk.createApiKey(
      {
        userId: b.user_id,
        orgId: b.org_id,
        expiresAt: b.expires_at_seconds,
        metadata: b.metadata,
        displayName: b.display_name,
      },
      by,
    );
    return { api_key_id: created.apiKeyId, api_key_token: created.apiKeyToken };
  },
});
