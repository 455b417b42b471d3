import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Router } from 'express';
import type { ValidationOutcome } from '../../core/observer';
import { FAILURE_REASONS } from '../../core/validation-result';
import type { Latchkey } from '../../latchkey';
import { renderPage, VIEWS_DIR } from '../pages/render';
import { hourChart } from './health-chart';
import type { ValidationTally } from './validation-tally';

const OUTCOMES: ValidationOutcome[] = [
  'valid',
  ...(Object.keys(FAILURE_REASONS) as ValidationOutcome[]),
];
const KEY_STATES = ['current', 'expired', 'archived'] as const;

/** The version in the package.json beside views/ (from src/ or dist/ alike). */
function packageVersion(): string {
  try {
    const file = path.join(path.dirname(VIEWS_DIR), 'package.json');
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** "3 d 4 h", "2 h 5 min", "42 s": the two largest units. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const units: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor(s / 3_600) % 24, 'h'],
    [Math.floor(s / 60) % 60, 'min'],
    [s % 60, 's'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return '0 s';
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

const ratio = (hits: number, misses: number): string =>
  hits + misses === 0 ? '—' : `${((100 * hits) / (hits + misses)).toFixed(1)}%`;

/** Users, orgs and keys by state; null when the store does not answer. */
async function recordCounts(latchkey: Latchkey) {
  try {
    const one = { pageSize: 1 };
    const [users, orgs, ...keys] = await Promise.all([
      latchkey.listUsers({}, one),
      latchkey.listOrgs({}, one),
      ...KEY_STATES.map((state) => latchkey.listApiKeys({ ...one, state })),
    ]);
    return {
      users: users.total,
      orgs: orgs.total,
      keys: KEY_STATES.map((state, i) => ({ state, count: keys[i]!.total })),
    };
  } catch (err) {
    latchkey.logger.warn({ err }, 'health page: counting records failed');
    return null;
  }
}

/**
 * The health page: version, uptime, the store, record counts, validations of the last
 * hour and day (counted in this process since the dashboard was created), the cache hit
 * ratio, table sizes, the last backup and start-up warnings.
 */
export function registerHealthRoutes(
  router: Router,
  latchkey: Latchkey,
  options: { tally: ValidationTally; warnings: readonly string[] },
): void {
  const version = packageVersion();
  const { tally } = options;
  router.get('/health', async (req, res) => {
    const [counts, tableSizes] = await Promise.all([
      recordCounts(latchkey),
      latchkey.fetchTableSizes().catch((err: unknown) => {
        latchkey.logger.warn({ err }, 'health page: reading table sizes failed');
        return null;
      }),
    ]);
    const hour = tally.span(60);
    const day = tally.span(1_440);
    const outcomes = OUTCOMES.filter((o) => o === 'valid' || day.byOutcome.has(o)).map(
      (outcome) => ({
        outcome,
        hour: hour.byOutcome.get(outcome) ?? 0,
        day: day.byOutcome.get(outcome) ?? 0,
      }),
    );
    const hourly = tally.hourly(24);
    await renderPage(req, res, 'admin/health', {
      title: 'Health',
      version,
      uptime: formatDuration(process.uptime()),
      countingFor: formatDuration((Date.now() - tally.since) / 1000),
      countingAllDay: Date.now() - tally.since >= 86_400_000,
      store: latchkey.describeStore(),
      counts,
      outcomes,
      totals: { hour: hour.total, day: day.total },
      cache: {
        hour: ratio(hour.cacheHits, hour.cacheMisses),
        day: ratio(day.cacheHits, day.cacheMisses),
        lookups: day.cacheHits + day.cacheMisses,
      },
      hourly: hourly.slice().reverse(),
      chart: hourChart(hourly),
      tableSizes: tableSizes ? Object.entries(tableSizes) : null,
      warnings: options.warnings,
    });
  });
}
