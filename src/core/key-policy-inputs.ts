import { z } from 'zod';
import { MAX_ALLOWED_IPS, normalizeIpEntry } from './ip-allowlist';
import { MAX_SCOPES } from './scopes';

/** The inputs of a key's policies beyond PropelAuth's: scopes, IP allowlist, usage quota. */

/** Scope names; which exist is the product's catalog's to check (see ScopeCatalog.choose). */
export const scopeNames = z
  .array(z.string().max(100, 'must be at most 100 characters'))
  .max(MAX_SCOPES, `must list at most ${MAX_SCOPES} scopes`);

/** IPv4/IPv6 addresses and CIDR ranges, normalized and deduplicated; [] means anywhere. */
export const allowedIps = z
  .array(z.string().max(100, 'must be at most 100 characters'))
  .max(MAX_ALLOWED_IPS, `must list at most ${MAX_ALLOWED_IPS} addresses or ranges`)
  .transform((entries, ctx) => {
    const out: string[] = [];
    for (const entry of entries) {
      const normal = normalizeIpEntry(entry);
      if (normal === null) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` });
        return z.NEVER;
      }
      if (!out.includes(normal)) out.push(normal);
    }
    return out.length === 0 ? null : out;
  });

const uses = z
  .number()
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(1_000_000_000, 'must be at most 1000000000');

/** A quota's refill: back to `amount` uses at the start of every UTC day or month. */
export const refill = z
  .object({
    amount: uses.min(1, 'must be at least 1'),
    interval: z.enum(['day', 'month']),
  })
  .strict();

/** Quota fields of a key: `remaining` uses (null = no quota) and an optional refill. */
export const quotaFields = {
  remaining: uses.nullable().optional(),
  refill: refill.nullable().optional(),
};
