import { LatchkeyError, type FieldErrors } from '../../core/errors';
import { EXPIRY_LABELS } from '../../core/time';
import { EXPIRY_CHOICES, ORG_ROLES, type Settings } from '../../core/types';

/**
 * The settings form, described as data: the page renders these fields in order
 * and reads them back the same way, so a new setting is one more entry here.
 */
type Base = { name: keyof Settings; label: string; hint?: string; section: string };
export type SettingField = Base &
  (
    | { kind: 'toggle'; preview?: string }
    | { kind: 'choices'; options: { value: string; label: string }[] }
    | { kind: 'select'; options: { value: string; label: string }[] }
    /** `optional`: an empty box saves null (for retention, "keep forever"). */
    | { kind: 'number'; min: number; optional?: boolean }
    | { kind: 'text'; maxlength: number }
    | { kind: 'rateLimit' }
  );

/** Period units offered for rate limits, largest first (used to show a stored period). */
export const PERIOD_UNITS = [
  { value: 'day', label: 'days', seconds: 86_400 },
  { value: 'hour', label: 'hours', seconds: 3_600 },
  { value: 'minute', label: 'minutes', seconds: 60 },
  { value: 'second', label: 'seconds', seconds: 1 },
] as const;

/** A stored limit as the form shows it: "100 per 5 minutes". */
export function rateLimitFormValue(value: unknown): { limit: string; count: string; unit: string } {
  const v = value as { limit?: number; periodSeconds?: number } | null;
  if (!v || typeof v.limit !== 'number' || typeof v.periodSeconds !== 'number') {
    return { limit: '', count: '1', unit: 'minute' };
  }
  const unit = PERIOD_UNITS.find((u) => v.periodSeconds! % u.seconds === 0) ?? PERIOD_UNITS[3];
  return {
    limit: String(v.limit),
    count: String(v.periodSeconds / unit.seconds),
    unit: unit.value,
  };
}

const expiryOptions = EXPIRY_CHOICES.map((c) => ({ value: c, label: EXPIRY_LABELS[c] }));
const roleOptions = ORG_ROLES.map((r) => ({ value: r, label: r }));

export const SETTING_FIELDS: SettingField[] = [
  {
    section: 'Key kinds',
    name: 'personalKeysEnabled',
    kind: 'toggle',
    label: 'Personal API keys',
    hint: 'When off, existing personal keys stop validating and none can be created.',
  },
  {
    section: 'Key kinds',
    name: 'orgKeysEnabled',
    kind: 'toggle',
    label: 'Organization API keys',
    hint: 'When off, existing org keys stop validating and none can be created.',
  },
  {
    section: 'Organization keys',
    name: 'revokeOrgKeysWhenCreatorLeaves',
    kind: 'toggle',
    label: 'Revoke org keys when their creator leaves the org',
  },
  {
    section: 'Organization keys',
    name: 'orgKeyManagerRoles',
    kind: 'choices',
    options: roleOptions,
    label: 'Org roles that may create and revoke org keys',
    hint: 'Other members can see the org’s keys but not change them.',
  },
  {
    section: 'Expiry',
    name: 'expiryChoices',
    kind: 'choices',
    options: expiryOptions,
    label: 'Expiry choices offered on the hosted pages',
  },
  {
    section: 'Expiry',
    name: 'defaultExpiry',
    kind: 'select',
    options: expiryOptions,
    label: 'Default expiry',
    hint: 'Must be one of the offered choices.',
  },
  {
    section: 'Hosted pages',
    name: 'personalPageEnabled',
    kind: 'toggle',
    label: '“My API keys” page',
    preview: '/keys',
  },
  {
    section: 'Hosted pages',
    name: 'orgPageEnabled',
    kind: 'toggle',
    label: '“Organization API keys” page',
    preview: '/orgs',
  },
  {
    section: 'Hosted pages',
    name: 'selfSignupEnabled',
    kind: 'toggle',
    label: 'Self sign-up on the hosted pages',
    preview: '/signup',
  },
  {
    section: 'Limits',
    name: 'maxKeysPerUser',
    kind: 'number',
    min: 0,
    label: 'Max active personal keys per user',
    hint: '0 means no limit.',
  },
  {
    section: 'Limits',
    name: 'maxKeysPerOrg',
    kind: 'number',
    min: 0,
    label: 'Max active keys per org',
    hint: '0 means no limit.',
  },
  {
    section: 'Limits',
    name: 'expiryWarningDays',
    kind: 'number',
    min: 0,
    label: 'Warn of a key expiring within this many days',
    hint: 'Keys expiring sooner say “expires in N days” on the key pages. 0 turns the notice off.',
  },
  {
    section: 'Validation rate limits',
    name: 'userRateLimit',
    kind: 'rateLimit',
    label: 'Validations allowed for all keys of one user',
    hint: 'Leave the number empty for no limit. Over the limit, requests get 429 with Retry-After.',
  },
  {
    section: 'Validation rate limits',
    name: 'orgRateLimit',
    kind: 'rateLimit',
    label: 'Validations allowed for all keys of one org',
    hint: 'Leave the number empty for no limit.',
  },
  {
    section: 'Retention',
    name: 'auditRetentionDays',
    kind: 'number',
    min: 1,
    label: 'Keep audit events for (days)',
    hint: 'Older events are deleted hourly.',
  },
  {
    section: 'Retention',
    name: 'usageRetentionDays',
    kind: 'number',
    min: 1,
    label: 'Keep per-day usage counts for (days)',
    hint: 'Older days are deleted hourly; the usage page shows the last 30.',
  },
  {
    section: 'Retention',
    name: 'archivedKeyRetentionDays',
    kind: 'number',
    min: 1,
    optional: true,
    label: 'Delete archived keys after (days)',
    hint: 'Leave empty to keep archived keys forever. A deleted key’s token never validates again.',
  },
  {
    section: 'Tokens',
    name: 'tokenPrefix',
    kind: 'text',
    maxlength: 12,
    label: 'Token prefix',
    hint: '1–12 characters of a–z and 0–9. New keys start with it followed by “_”; existing keys keep theirs.',
  },
  {
    section: 'Email and leaked keys',
    name: 'expiryReminderDays',
    kind: 'text',
    maxlength: 40,
    label: 'Expiry reminders (days before expiry)',
    hint: 'Comma-separated, e.g. “7, 1”; empty sends none. Needs SMTP_URL (docs/email.md).',
  },
  {
    section: 'Email and leaked keys',
    name: 'leakedKeyAction',
    kind: 'select',
    options: [
      { value: 'revoke', label: 'Revoke it at once' },
      { value: 'flag', label: 'Flag it only (audit log, event and email)' },
    ],
    label: 'A key reported as leaked',
    hint: 'By the secret-scanning endpoint or a “report a leaked key” action (docs/leaked-keys.md).',
  },
];

export const SCOPE_LIMIT_LABELS = {
  personalKeyScopes: 'Scopes personal keys may hold',
  orgKeyScopes: 'Scopes org keys may hold',
} as const;

export const SETTING_LABELS: Record<string, string> = {
  ...Object.fromEntries(SETTING_FIELDS.map((f) => [f.name, f.label])),
  ...SCOPE_LIMIT_LABELS,
};

const asList = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : [];

/**
 * Reads the submitted form into a settings patch. An unticked checkbox sends
 * nothing, so every field listed counts as submitted. Returns what it could read
 * (for showing the form again) and throws only once all fields are read.
 */
export function readSettingsForm(
  body: unknown,
  fields: readonly SettingField[] = SETTING_FIELDS,
): {
  patch: Record<string, unknown>;
  problems: FieldErrors;
} {
  const form = (body ?? {}) as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  const problems: FieldErrors = {};
  for (const field of fields) {
    const raw = form[field.name];
    switch (field.kind) {
      case 'toggle':
        patch[field.name] = raw === 'on';
        break;
      case 'choices':
        patch[field.name] = asList(raw);
        break;
      case 'select':
      case 'text':
        patch[field.name] = typeof raw === 'string' ? raw.trim() : '';
        break;
      case 'rateLimit': {
        const limit = String(form[`${field.name}Limit`] ?? '').trim();
        const count = String(form[`${field.name}PeriodCount`] ?? '1').trim();
        const unit = PERIOD_UNITS.find((u) => u.value === form[`${field.name}PeriodUnit`]);
        if (limit === '') patch[field.name] = null;
        else if (!/^\d{1,10}$/.test(limit) || !/^\d{1,7}$/.test(count) || !unit) {
          patch[field.name] = { limit, periodSeconds: count };
          problems[field.name] = [
            'must be a whole number of validations per a whole number of periods',
          ];
        } else
          patch[field.name] = { limit: Number(limit), periodSeconds: Number(count) * unit.seconds };
        break;
      }
      case 'number': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (text === '' && field.optional) patch[field.name] = null;
        else if (/^-?\d{1,9}$/.test(text)) patch[field.name] = Number(text);
        else {
          patch[field.name] = text;
          problems[field.name] = ['must be a whole number'];
        }
      }
    }
  }
  return { patch, problems };
}

export function throwProblems(problems: FieldErrors): void {
  const names = Object.keys(problems);
  if (!names.length) return;
  const summary = names.map((n) => `${n}: ${problems[n]!.join(', ')}`).join('; ');
  throw new LatchkeyError('invalid_input', summary, problems);
}
