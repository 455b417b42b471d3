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
    | { kind: 'number'; min: number }
    | { kind: 'text'; maxlength: number }
  );

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
    section: 'Tokens',
    name: 'tokenPrefix',
    kind: 'text',
    maxlength: 12,
    label: 'Token prefix',
    hint: '1–12 characters of a–z and 0–9. New keys start with it followed by “_”; existing keys keep theirs.',
  },
];

export const SETTING_LABELS = Object.fromEntries(SETTING_FIELDS.map((f) => [f.name, f.label]));

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
export function readSettingsForm(body: unknown): {
  patch: Record<string, unknown>;
  problems: FieldErrors;
} {
  const form = (body ?? {}) as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  const problems: FieldErrors = {};
  for (const field of SETTING_FIELDS) {
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
      case 'number': {
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (/^-?\d{1,9}$/.test(text)) patch[field.name] = Number(text);
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
