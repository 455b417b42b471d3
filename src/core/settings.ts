import { z } from 'zod';
import type { Store } from './store';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { deepFreeze } from './identity';
import { brandingInput, DEFAULT_BRANDING, type Branding } from './branding';
import { parseInput } from './inputs';
import { settingsPatch } from './settings-input';
import type { Settings } from './types';

/** The re-read interval: the validation cache's TTL, kept between these bounds (0 = cache off). */
const MIN_REFRESH_MS = 1_000;
const MAX_REFRESH_MS = 3_600_000;

/** A frozen copy made from the value's JSON: callers share one value, so none may change it for the others. */
const frozenFrom = (text: string): Settings => deepFreeze(JSON.parse(text) as Settings);

/**
 * Keeps the one settings record in memory. Changes made here apply at once; changes made
 * by another process are re-read on a timer every `refreshMs` (at least a second, at most an
 * hour apart), so a validation never judges with settings older than that (plus one read),
 * however long the process sat idle. `whenChanged` hears of every value that differs from
 * the one before, so cached verdicts built with the old settings can be dropped.
 */
export class SettingsHolder {
  private value: Settings;
  private text: string;
  /** Counts local changes, so a re-read that started before one cannot undo it. */
  private changes = 0;
  /** Numbers re-reads, so a slow one cannot undo a later one that finished first. */
  private readsStarted = 0;
  private newestApplied = 0;
  private reading = false;
  private onChange: () => void = () => undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly store: Store,
    initial: Settings,
    refreshMs: number,
  ) {
    this.text = JSON.stringify(initial);
    this.value = frozenFrom(this.text);
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref();
  }

  static async load(store: Store, refreshMs: number): Promise<SettingsHolder> {
    const every = Math.min(Math.max(refreshMs, MIN_REFRESH_MS), MAX_REFRESH_MS);
    return new SettingsHolder(store, await store.getSettings(), every || MIN_REFRESH_MS);
  }

  /** Called after each value that differs from the one before (replaces any earlier listener). */
  whenChanged(listener: () => void): void {
    this.onChange = listener;
  }

  current(): Settings {
    return this.value;
  }

  async reload(): Promise<Settings> {
    const changesBefore = this.changes;
    const read = ++this.readsStarted;
    const found = await this.store.getSettings();
    if (this.changes === changesBefore && read > this.newestApplied) {
      this.newestApplied = read;
      this.apply(found);
    }
    return this.value;
  }

  set(value: Settings): void {
    this.changes++;
    this.apply(value);
  }

  /** Stops the timer; the last value read stays current. */
  close(): void {
    clearInterval(this.timer);
  }

  private apply(value: Settings): void {
    const text = JSON.stringify(value);
    if (text === this.text) return;
    this.value = frozenFrom(text);
    this.text = text;
    this.onChange();
  }

  /** One re-read at a time; a failed one keeps the last value and the next tick tries again. */
  private async refresh(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      await this.reload();
    } catch {
      // The store is unavailable: keep judging with the last settings read.
    } finally {
      this.reading = false;
    }
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
  if (changes.branding) next.branding = checkedBranding(before.branding, changes.branding);
  next.expiryChoices = [...new Set(next.expiryChoices)];
  next.orgKeyManagerRoles = [...new Set(next.orgKeyManagerRoles)];
  next.expiryReminderDays = [...new Set(next.expiryReminderDays)].sort((a, b) => b - a);
  if (changes.personalKeyScopes !== undefined)
    next.personalKeyScopes = core.scopes.limitFor(
      'personal',
      changes.personalKeyScopes,
      'personalKeyScopes',
    );
  if (changes.orgKeyScopes !== undefined)
    next.orgKeyScopes = core.scopes.limitFor('org', changes.orgKeyScopes, 'orgKeyScopes');
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

/** A branding change merged over the current branding, then checked whole (colours for contrast). */
function checkedBranding(before: Partial<Branding>, change: Partial<Branding>): Branding {
  const merged = { ...DEFAULT_BRANDING, ...before, ...change };
  return parseInput(z.object({ branding: brandingInput }), { branding: merged }).branding;
}
