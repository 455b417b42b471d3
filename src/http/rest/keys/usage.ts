import { z } from 'zod';
import { KEY_ID_PATTERN } from '../../../core/token';
import { defineEndpoint } from '../endpoint';
import { uuid } from '../fields';
import { usageCount } from '../wire-schemas';

/** Date.parse rolls 2024-02-31 over to March; a real day survives the round trip. */
const isCalendarDay = (day: string): boolean => {
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
};

const query = z
  .object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
      .refine(isCalendarDay, 'is not a calendar day')
      .optional(),
    org_id: uuid.optional(),
    user_id: uuid.optional(),
    api_key_id: z.string().regex(KEY_ID_PATTERN, 'must be 32 lowercase hex characters').optional(),
  })
  .strict();

export const keyUsage = defineEndpoint({
  method: 'get',
  path: '/end_user_api_keys/usage',
  operationId: 'fetchApiKeyUsage',
  summary:
    'Count successful validations on one UTC day (today by default), overall or for one key, user or org',
  tag: 'API keys',
  query,
  response: usageCount,
  errors: [400],
  run: async (lk, { query: q }) => ({
    count: await lk.fetchApiKeyUsage({
      date: q.date,
      orgId: q.org_id,
      userId: q.user_id,
      apiKeyId: q.api_key_id,
    }),
  }),
});
