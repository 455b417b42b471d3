import { z } from 'zod';
import { displayName } from '../../../core/inputs';
import { defineEndpoint } from '../endpoint';
import { expiresAtSeconds, metadata, uuid } from '../fields';
import { importedApiKey } from '../wire-schemas';

const body = z
  .object({
    imported_api_key: z
      .string()
      .trim()
      .min(8, 'must be at least 8 characters')
      .max(512, 'must be at most 512 characters'),
    org_id: uuid.optional(),
    user_id: uuid.optional(),
    expires_at_seconds: expiresAtSeconds.nullable().optional(),
    metadata: metadata.optional(),
    display_name: displayName.optional(),
  })
  .strict();

export const importKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys/import',
  operationId: 'importApiKey',
  summary:
    'Import a key issued by another system; only its SHA-256 digest is stored and it validates with validate_imported',
  tag: 'API keys',
  body,
  response: importedApiKey,
  errors: [400, 409],
  run: async (lk, { body: b, by }) => {
    const key = await lk.importApiKey(
      {
        token: b.imported_api_key,
        userId: b.user_id,
        orgId: b.org_id,
        expiresAt: b.expires_at_seconds,
        metadata: b.metadata,
        displayName: b.display_name,
      },
      by,
    );
    return { api_key_id: key.id };
  },
});
