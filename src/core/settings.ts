import type { Store } from '../store/store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { deepFreeze } from './identity';
import { parseInput, settingsPatch } from './inputs';
import type { Settings } from './types';

/** How often settings are re-read when no refresh interval is given (validation cache off). */
const DEFAULT_REFRESH_MS = 1_000;

/** A frozen copy: callers share one value, so none may change it for the others. */
const frozen = (settings: Settings): Settings =>
  deepFreeze(JSON.parse(JSON.stringify(settings)) as Settings);

/**
 * Keeps the one settings record in memory. Changes made here apply at once;
 * changes made by another process are picked up within `refreshMs`.
 */
export class SettingsHolder {
  private value: Settings;
  private loadedAt = 0;
  private refreshing: Promise<void> | null = null;

  private constructor(
    private readonly store: Store,
    initial: Settings,
    private readonly refreshMs: number,
  ) {
    this.value = frozen(initial);
    this.loadedAt = Date.now();
  }

  /** `refreshMs` 0 (the validation cache's TTL when the cache is off) still refreshes, every second. */
  static async load(store: Store, refreshMs: number): Promise<SettingsHolder> {
    const every = refreshMs > 0 ? refreshMs : DEFAULT_REFRESH_MS;
    return new SettingsHolder(store, await store.getSettings(), every);
  }

  /**
   * Current settings; starts a background reload when they are older than `refreshMs`.
   * `nowMs` saves a clock read for a caller that has one.
   */
  current(nowMs = Date.now()): Settings {
    if (this.refreshMs > 0 && nowMs - this.loadedAt > this.refreshMs && !this.refreshing) {
      this.refreshing = this.reload()
        .then(() => undefined)
        .catch(() => undefined)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.value;
  }

  async reload(): Promise<Settings> {
    this.value = frozen(await this.store.getSettings());
    this.loadedAt = Date.now();
    return this.value;
  }

  set(value: Settings): void {
    this.value = frozen(value);
    this.loadedAt = Date.now();
  }
}

/** Applies a partial change after checking each field and the rules between them. */
export async function updateSettings(
  core: Core & { settingsHolder: SettingsHolder },
  patch: unknown,
  by?: Actor,
): Promise<Settings> {
  const changes = parseInput(settingsPatch, patch) as Partial<Settings>;
  const before = await core.settingsHolder.reload();
  const next: Settings = { ...before, ...changes };
  next.expiryChoices = [...new Set(next.expiryChoices)];
  next.orgKeyManagerRoles = [...new Set(next.orgKeyManagerRoles)];
  if (!next.expiryChoices.includes(next.defaultExpiry)) {
    throw LatchkeyError.field('defaultExpiry', 'must be one of the offered expiry choices');
  }
  await core.store.saveSettings(next);
  core.settingsHolder.set(next);
  core.validator.forgetAll();
  const changed = Object.keys(changes).filter(
    (k) =>
      JSON.stringify(before[k as keyof Settings]) !== JSON.stringify(next[k as keyof Settings]),
  );
  if (changed.length) {
    const diff = Object.fromEntries(changed.map((k) => [k, next[k as keyof Settings]]));
    await audit(core, by, 'settings.updated', 'settings', 'settings', diff);
  }
  return core.settingsHolder.current();
}
