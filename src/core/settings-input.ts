import { z } from 'zod';
import { brandingPatch } from './branding';
import { expiryChoice, rateLimit, role } from './inputs';
import { MAX_SCOPES } from './scopes';
import { PREFIX_PATTERN } from './token';

/** What the admin settings accept: every field optional, checked together (see settings.ts). */

const retentionDays = z
  .number()
  .int('must be a whole number of days')
  .min(1, 'must be at least 1 day')
  .max(36_500);

/** Names of declared scopes a kind may hold (checked against the catalog by updateSettings). */
const scopeLimit = z
  .array(z.string().max(100, 'must be at most 100 characters'))
  .max(MAX_SCOPES, `must list at most ${MAX_SCOPES} scopes`)
  .nullable();

export const settingsPatch = z
  .object({
    personalKeysEnabled: z.boolean(),
    orgKeysEnabled: z.boolean(),
    revokeOrgKeysWhenCreatorLeaves: z.boolean(),
    expiryChoices: z.array(expiryChoice).min(1, 'offer at least one expiry choice'),
    defaultExpiry: expiryChoice,
    orgKeyManagerRoles: z.array(role),
    personalPageEnabled: z.boolean(),
    orgPageEnabled: z.boolean(),
    selfSignupEnabled: z.boolean(),
    maxKeysPerUser: z
      .number()
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .max(1_000_000),
    maxKeysPerOrg: z
      .number()
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .max(1_000_000),
    tokenPrefix: z.string().regex(PREFIX_PATTERN, 'must be 1-12 characters of a-z and 0-9'),
    userRateLimit: rateLimit.nullable(),
    orgRateLimit: rateLimit.nullable(),
    auditRetentionDays: retentionDays,
    usageRetentionDays: retentionDays,
    archivedKeyRetentionDays: retentionDays.nullable(),
    branding: brandingPatch,
    expiryReminderDays: z.preprocess(
      // The form and the CLI send "7, 1".
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .filter((d) => d.trim() !== '')
              .map(Number)
          : v,
      z
        .array(z.number().int('must be whole days').min(1, 'must be 1 day or more').max(365))
        .max(10, 'at most 10 reminders'),
    ),
    leakedKeyAction: z.enum(['revoke', 'flag']),
    expiryWarningDays: z
      .number()
      .int('must be a whole number of days')
      .min(0, 'must not be negative')
      .max(365, 'must be at most 365'),
    personalKeyScopes: scopeLimit,
    orgKeyScopes: scopeLimit,
  })
  .partial()
  .strict();
