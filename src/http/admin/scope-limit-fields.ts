import type { ScopeCatalog } from '../../core/scopes';
import type { Settings } from '../../core/types';
import { SCOPE_LIMIT_LABELS, SETTING_FIELDS, type SettingField } from './settings-fields';

/**
 * The settings form for this product: with declared scopes, a checkbox list per kind of
 * which of them its keys may hold (an org member can grant an org key no other).
 */
export function settingFields(catalog: ScopeCatalog): SettingField[] {
  if (catalog.isEmpty) return SETTING_FIELDS;
  const limit = (kind: 'personal' | 'org'): SettingField => ({
    section: 'Scopes',
    name: kind === 'personal' ? 'personalKeyScopes' : 'orgKeyScopes',
    kind: 'choices',
    options: catalog.forKind(kind).map((d) => ({ value: d.name, label: d.name })),
    label: SCOPE_LIMIT_LABELS[kind === 'personal' ? 'personalKeyScopes' : 'orgKeyScopes'],
    hint: 'Keys of this kind cannot be given the others, and existing keys stop holding them. Ticking all also allows scopes declared later.',
  });
  return [...SETTING_FIELDS, limit('personal'), limit('org')];
}

/** The settings form's values: a scope limit of null (all) shows every box ticked. */
export function settingFormValues(catalog: ScopeCatalog, settings: Settings): Settings {
  const names = (kind: 'personal' | 'org') => catalog.forKind(kind, settings).map((d) => d.name);
  return { ...settings, personalKeyScopes: names('personal'), orgKeyScopes: names('org') };
}
