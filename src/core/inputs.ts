import { z } from 'zod';
import { LatchkeyError, type FieldErrors } from './errors';
import { allowedIps, quotaFields, scopeNames } from './key-policy-inputs';
import { LATEST_EXPIRY_SECONDS } from './time';
import {
  importedTokenOf,
  KEY_ID_PATTERN,
  MAX_IMPORTED_TOKEN_LENGTH,
  MIN_IMPORTED_TOKEN_LENGTH,
} from './token';
import { EXPIRY_CHOICES, ORG_ROLES, type JsonObject } from './types';

/** Schemas for everything the management functions accept, and the one way they fail. */

export const MAX_METADATA_BYTES = 16 * 1024;
export const MAX_DISPLAY_NAME = 100;
export const MAX_PASSWORD_BYTES = 72;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const isKeyId = (v: unknown): v is string => typeof v === 'string' && KEY_ID_PATTERN.test(v);

export const uuid = z.string().regex(UUID, 'must be a UUID');

/**
 * Checked and kept as its JSON form: a value JSON cannot hold (a BigInt, a cycle) or
 * one that serializes to something other than an object (via toJSON) is refused, and
 * the caller's object is copied, so what is stored is exactly what validation returns.
 */
export const metadata = z.record(z.string(), z.unknown()).transform((v, ctx): JsonObject => {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  if (text === undefined || !text.startsWith('{')) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
    return z.NEVER;
  }
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
    });
    return z.NEVER;
  }
  const copy = JSON.parse(text) as JsonObject;
  if (hasUnsafeKey(copy)) {
    ctx.addIssue({ code: 'custom', message: 'keys must not start with "$" or contain "."' });
    return z.NEVER;
  }
  return copy;
});

/** Keys that some stores read as operators or paths are refused the same way on every store. */
export function hasUnsafeKey(value: unknown, depth = 0): boolean {
  if (depth > 32) return true;
  if (Array.isArray(value)) return value.some((v) => hasUnsafeKey(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.entries(value).some(
      ([k, v]) =>
        k.startsWith('$') || k.includes('.') || k.includes('\0') || hasUnsafeKey(v, depth + 1),
    );
  }
  return false;
}

/**
 * Characters that reorder the text around them (bidi embeddings, overrides, isolates and
 * marks): in a name shown beside other members' names they let one name pose as another.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const BIDI_MESSAGE = 'must not contain bidirectional control characters';
export const hasBidiControl = (v: string): boolean => BIDI_CONTROLS.test(v);

/** Line breaks, tabs, NUL and the other control characters: a name is one line of text. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_MESSAGE = 'must be one line without control characters (line breaks, tabs, NUL)';

/** A name shown to people: one line of any text except control and bidi characters. */
export const shownText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !CONTROL_CHARACTERS.test(v), CONTROL_MESSAGE)
    .refine((v) => !hasBidiControl(v), BIDI_MESSAGE);

/** A required name: trimmed, not empty, one line, no control or bidi characters. */
export const requiredName = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_CHARACTERS.test(v), CONTROL_MESSAGE)
    .refine((v) => !hasBidiControl(v), BIDI_MESSAGE);

export const displayName = requiredName(MAX_DISPLAY_NAME);

export const email = z.string().trim().max(320, 'is too long').email('must be an email address');

export const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .refine((v) => Buffer.byteLength(v) <= MAX_PASSWORD_BYTES, {
    message: `must be at most ${MAX_PASSWORD_BYTES} bytes`,
  });

export const role = z.enum(ORG_ROLES as [string, ...string[]]);
export const expiryChoice = z.enum(EXPIRY_CHOICES as [string, ...string[]]);

/** A key's expiry in unix seconds, up to the end of the year 9999. */
export const expirySeconds = z
  .number()
  .int('must be whole seconds')
  .nonnegative('must not be negative')
  .max(
    LATEST_EXPIRY_SECONDS,
    `must be at most ${LATEST_EXPIRY_SECONDS} (the end of the year 9999); expiries are unix seconds, not milliseconds`,
  );

export const MAX_RATE_LIMIT_PERIOD_SECONDS = 31 * 24 * 3600;

/** At most `limit` validations per `periodSeconds` (one second up to 31 days). */
export const rateLimit = z
  .object({
    limit: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000_000, 'must be at most 1000000000'),
    periodSeconds: z
      .number()
      .int('must be whole seconds')
      .min(1, 'must be at least 1 second')
      .max(MAX_RATE_LIMIT_PERIOD_SECONDS, 'must be at most 31 days'),
  })
  .strict();

export const createKeyInput = z
  .object({
    ...quotaFields,
    userId: uuid.optional(),
    orgId: uuid.optional(),
    displayName: displayName.optional(),
    expiresAt: expirySeconds.nullable().optional(),
    metadata: metadata.optional(),
    rateLimit: rateLimit.nullable().optional(),
    scopes: scopeNames.optional(),
    allowedIps: allowedIps.nullable().optional(),
  })
  .strict();

/** A token issued by another system, kept as validation will see it (see importedTokenOf()). */
export const importedToken = z
  .string()
  .describe(
    `${MIN_IMPORTED_TOKEN_LENGTH} to ${MAX_IMPORTED_TOKEN_LENGTH} characters, with or without a leading "Bearer "`,
  )
  .transform(importedTokenOf)
  .pipe(
    z
      .string()
      .min(
        MIN_IMPORTED_TOKEN_LENGTH,
        `must be at least ${MIN_IMPORTED_TOKEN_LENGTH} characters, not counting "Bearer "`,
      )
      .max(MAX_IMPORTED_TOKEN_LENGTH, `must be at most ${MAX_IMPORTED_TOKEN_LENGTH} characters`),
  );

export const importKeyInput = createKeyInput.extend({ token: importedToken });

export const updateKeyInput = z
  .object({
    ...quotaFields,
    displayName: displayName.optional(),
    expiresAt: expirySeconds.nullable().optional(),
    metadata: metadata.optional(),
    rateLimit: rateLimit.nullable().optional(),
    scopes: scopeNames.optional(),
    allowedIps: allowedIps.nullable().optional(),
  })
  .strict();

/** How long the token a roll replaces keeps validating: 0 (not at all) up to 30 days. */
export const rollKeyInput = z
  .object({
    expireOldInSeconds: z
      .number()
      .int('must be whole seconds')
      .min(0, 'must not be negative')
      .max(30 * 86_400, 'must be at most 30 days')
      .optional(),
  })
  .strict();

export const createUserInput = z
  .object({
    email,
    password: password.optional(),
    emailConfirmed: z.boolean().optional(),
    firstName: shownText(100).optional(),
    lastName: shownText(100).optional(),
    username: shownText(100).optional(),
    pictureUrl: z.string().url().max(2048).optional(),
    canCreateOrgs: z.boolean().optional(),
    updatePasswordRequired: z.boolean().optional(),
    metadata: metadata.optional(),
  })
  .strict();

export const updateUserInput = createUserInput
  .omit({ password: true })
  .partial()
  .extend({ mfaEnabled: z.boolean().optional() })
  .strict();

export const createOrgInput = z
  .object({
    name: requiredName(100),
    urlSafeName: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single dashes')
      .max(100)
      .optional(),
    metadata: metadata.optional(),
  })
  .strict();

export const updateOrgInput = createOrgInput.partial().strict();

/**
 * Parses `input` or throws one `invalid_input` error naming every bad field; a bad
 * value that is not an object is named `rootField` (say, "role" for a bare role string).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  rootField = 'body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // No prototype: a client may name a field "constructor" or "__proto__".
  const fields = Object.create(null) as FieldErrors;
  for (const issue of result.error.issues) {
    const field =
      issue.code === 'unrecognized_keys'
        ? issue.keys.join(',')
        : issue.path.length
          ? issue.path.map(String).join('.')
          : rootField;
    const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
    (fields[field] ??= []).push(message);
  }
  const summary = Object.entries(fields)
    .map(([f, m]) => `${f}: ${m.join(', ')}`)
    .join('; ');
  throw new LatchkeyError('invalid_input', summary, fields);
}
