import { LatchkeyError } from '../core/errors';
import type { Settings } from '../core/types';
import type { Latchkey, SettingsPatch } from '../latchkey';

/**
 * `settings get [name]` and `settings set name=value [name=value ...]`: the dashboard's
 * settings from the command line. Values are checked by the same schema as the form
 * (updateSettings), which names every bad one; nothing changes unless all are good.
 */

const NAMES = (settings: Settings) => Object.keys(settings) as (keyof Settings)[];

/** Lists, as the form takes them: a comma-separated value is split. */
const LISTS: ReadonlySet<string> = new Set(['expiryChoices', 'orgKeyManagerRoles']);
const RATE_LIMITS: ReadonlySet<string> = new Set(['userRateLimit', 'orgRateLimit']);

/**
 * One `name=value`: true/false, numbers, `none` for no rate limit, `<limit>/<seconds>` for
 * one (`1000/3600`), comma-separated lists, or any JSON value; anything else is a string.
 */
export function settingValue(name: string, raw: string): unknown {
  if (RATE_LIMITS.has(name)) {
    if (raw === 'none' || raw === 'null' || raw === '') return null;
    const m = /^(\d+)\/(\d+)$/.exec(raw);
    if (m) return { limit: Number(m[1]), periodSeconds: Number(m[2]) };
  }
  if (LISTS.has(name) && !raw.startsWith('['))
    return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function patchOf(args: string[]): Record<string, unknown> {
  if (args.length === 0) throw LatchkeyError.field('settings', 'give at least one name=value');
  const patch = Object.create(null) as Record<string, unknown>;
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw LatchkeyError.field(arg, 'must be written name=value');
    const name = arg.slice(0, at);
    patch[name] = settingValue(name, arg.slice(at + 1));
  }
  return patch;
}

export async function settingsCommand(
  lk: Latchkey,
  args: string[],
  by: { actor: string },
): Promise<Record<string, unknown>> {
  const [action, ...rest] = args;
  if (action === 'get') {
    const settings = lk.getSettings();
    if (rest.length === 0) return { ...settings };
    const out: Record<string, unknown> = {};
    for (const name of rest) {
      if (!NAMES(settings).includes(name as keyof Settings))
        throw LatchkeyError.field(name, 'is not a setting');
      out[name] = settings[name as keyof Settings];
    }
    return out;
  }
  if (action === 'set') {
    const patch = patchOf(rest);
    const saved = await lk.updateSettings(patch as SettingsPatch, by);
    return Object.fromEntries(Object.keys(patch).map((n) => [n, saved[n as keyof Settings]]));
  }
  throw LatchkeyError.field(
    'settings',
    'use "settings get [name ...]" or "settings set name=value ..."',
  );
}
