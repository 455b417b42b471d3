import { importedToken } from '../../../core/inputs';
import { isLatchkeyError } from '../../../core/errors';
import { defineEndpoint } from '../endpoint';
import { refusedOn } from '../errors';
import { importedApiKey } from '../wire-schemas';
import { keyFields, keyInputOf, ownerField } from './create';

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
  errors: [400],
  run: async (lk, { body: b, by }) => {
    // An import refused for its owner (limit, kind) names the owner; a duplicate the key.
    const key = await lk
      .importApiKey({ token: b.imported_api_key, ...keyInputOf(b) }, by)
      .catch((err: unknown) =>
        refusedOn(
          isLatchkeyError(err) && err.code === 'conflict' ? 'imported_api_key' : ownerField(b),
        )(err),
      );
    return { api_key_id: key.id };
  },
});
