import { importedToken } from '../../../core/inputs';
import { defineEndpoint } from '../endpoint';
import { importedApiKey } from '../wire-schemas';
import { keyFields, keyInputOf } from './create';

const body = keyFields.extend({ imported_api_key: importedToken }).strict();

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
    const key = await lk.importApiKey({ token: b.imported_api_key, ...keyInputOf(b) }, by);
    return { api_key_id: key.id };
  },
});
