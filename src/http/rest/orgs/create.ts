import { z } from 'zod';
import { defineEndpoint } from '../endpoint';
import { metadata } from '../fields';
import { createdOrg } from '../wire-schemas';

/** PropelAuth's clients always send these two flags; Latchkey has no domain rules, so only false fits. */
const noDomainRule = z
  .boolean()
  .refine((v) => !v, 'is not supported: Latchkey has no domain rules')
  .optional();

const body = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    url_safe_org_slug: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single dashes')
      .max(100, 'must be at most 100 characters')
      .optional(),
    metadata: metadata.optional(),
    enable_auto_joining_by_domain: noDomainRule,
    members_must_have_matching_domain: noDomainRule,
  })
  .strict();

export const createOrg = defineEndpoint({
  method: 'post',
  path: '/org/',
  operationId: 'createOrg',
  summary: 'Create an organization',
  tag: 'Organizations',
  body,
  response: createdOrg,
  errors: [400],
  fieldNames: { urlSafeName: 'url_safe_org_slug' },
  run: async (lk, { body: b, by }) => {
    const org = await lk.createOrg(
      { name: b.name, urlSafeName: b.url_safe_org_slug, metadata: b.metadata },
      by,
    );
    return { org_id: org.id, name: org.name };
  },
});
