import { z } from 'zod';
import { displayName } from '../../../core/inputs';
import { scopeNames } from '../../../core/key-policy-inputs';
import type { CreateKeyInput } from '../../../core/keys';
import { defineEndpoint } from '../endpoint';
import { refusedOn } from '../errors';
import { expiresAtSeconds, metadata, uuid } from '../fields';
import { createdApiKey } from '../wire-schemas';

/** The fields a new key and an imported key share: owner, expiry, metadata, name. */
export const keyFields = z
  .object({
    org_id: uuid.optional(),
    user_id: uuid.optional(),
    expires_at_seconds: expiresAtSeconds.nullable().optional(),
    metadata: metadata.optional(),
    display_name: displayName.optional(),
    // Latchkey extensions.
    scopes: scopeNames.optional(),
    allowed_ips: z.array(z.string()).nullable().optional(),
    // Latchkey extensions: a usage quota with an optional refill.
    remaining_uses: z.number().optional().nullable(),
    refill: z.unknown().optional(),
  })
  .strict();

/** The library's input for those fields. */
export const keyInputOf = (b: z.output<typeof keyFields>) => ({
  userId: b.user_id,
  orgId: b.org_id,
  expiresAt: b.expires_at_seconds,
  metadata: b.metadata,
  displayName: b.display_name,
  scopes: b.scopes,
  allowedIps: b.allowed_ips,
  remaining: b.remaining_uses,
  refill: b.refill as CreateKeyInput['refill'],
});

/** The field a refusal of a new key names: its owner (an org key's org), else the body. */
export const ownerField = (b: z.output<typeof keyFields>): string =>
  b.org_id !== undefined ? 'org_id' : b.user_id !== undefined ? 'user_id' : 'body';

export const createKey = defineEndpoint({
  method: 'post',
  path: '/end_user_api_keys',
  operationId: 'createApiKey',
  summary:
    'Create an API key: personal (user_id), org (org_id, optionally with the creating user_id) or generic (neither). The token is in this answer only.',
  tag: 'API keys',
  body: keyFields,
  response: createdApiKey,
  fieldNames: { remaining: 'remaining_uses' },
  errors: [400],
  run: async (lk, { body: b, by }) => {
    const created = await lk.createApiKey(keyInputOf(b), by).catch(refusedOn(ownerField(b)));
    return { api_key_id: created.apiKeyId, api_key_token: created.apiKeyToken };
  },
});
