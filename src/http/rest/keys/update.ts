import { z } from 'zod';
import { displayName } from '../../../core/inputs';
import { scopeNames } from '../../../core/key-policy-inputs';
import type { KeyUpdate } from '../../../core/keys';
import { LatchkeyError } from '../../../core/errors';
import { defineEndpoint } from '../endpoint';
import { refusedOn } from '../errors';
import { expiresAtSeconds, metadataOrJsonString } from '../fields';
import { empty } from '../wire-schemas';

const body = z
  .object({
    expires_at_seconds: expiresAtSeconds.optional(),
    metadata: metadataOrJsonString.optional(),
    set_to_never_expire: z.boolean().optional(),
    display_name: displayName.optional(),
    // Latchkey extensions.
    scopes: scopeNames.optional(),
    allowed_ips: z.array(z.string()).nullable().optional(),
    // Latchkey extensions: a usage quota (null removes it) with an optional refill.
    remaining_uses: z.number().optional().nullable(),
    refill: z.unknown().optional(),
  })
  .strict();

export const updateKey = defineEndpoint({
  method: 'patch',
  path: '/end_user_api_keys/{api_key_id}',
  operationId: 'updateApiKey',
  summary: "Change a key's expiry, metadata, display name, scopes or allowed IPs",
  tag: 'API keys',
  body,
  response: empty,
  fieldNames: { remaining: 'remaining_uses' },
  errors: [400, 404],
  run: async (lk, { params, body: b, by }) => {
    if (b.set_to_never_expire && b.expires_at_seconds !== undefined) {
      throw LatchkeyError.field(
        'set_to_never_expire',
        'cannot be combined with expires_at_seconds',
      );
    }
    const update: KeyUpdate = {};
    if (b.display_name !== undefined) update.displayName = b.display_name;
    if (b.metadata !== undefined) update.metadata = b.metadata;
    if (b.expires_at_seconds !== undefined) update.expiresAt = b.expires_at_seconds;
    if (b.set_to_never_expire) update.expiresAt = null;
    if (b.scopes !== undefined) update.scopes = b.scopes;
    if (b.allowed_ips !== undefined) update.allowedIps = b.allowed_ips;
    if (b.remaining_uses !== undefined) update.remaining = b.remaining_uses;
    if (b.refill !== undefined) update.refill = b.refill as KeyUpdate['refill'];
    await lk.updateApiKey(params.api_key_id ?? '', update, by).catch(refusedOn('api_key_id'));
    return {};
  },
});
