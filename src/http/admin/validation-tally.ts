import type { ValidationObserver, ValidationOutcome } from '../../core/observer';

const MINUTE_MS = 60_000;
/** A day of minutes: the longest span the health page shows. */
const MINUTES_KEPT = 1_440;

interface MinuteBucket {
  /** Minutes since the epoch this bucket counts; -1 while unused. */
  minute: number;
  outcomes: Map<ValidationOutcome, number>;
  cacheHits: number;
  cacheMisses: number;
}

/** Counts over a span of minutes, by outcome, with the cache lookups of the same span. */
export interface TallySpan {
  total: number;
  byOutcome: Map<ValidationOutcome, number>;
  cacheHits: number;
  cacheMisses: number;
}

/**
 * Validations by outcome and cache lookups of the last day, in this process only, in
 * minute buckets on a ring (a fixed 1,440 of them, reused as minutes pass). Attached with
 * `latchkey.observe()`; each event costs a clock read and a map update.
 */
export class ValidationTally implements ValidationObserver {
  private readonly ring: MinuteBucket[] = Array.from({ length: MINUTES_KEPT }, () => ({
    minute: -1,
    outcomes: new Map(),
    cacheHits: 0,
    cacheMisses: 0,
  }));
  /** When counting began (ms), so the page can say a span is not yet complete. */
  readonly since: number;

  constructor(private readonly now: () => number = Date.now) {
    this.since = now();
  }

  onValidation(outcome: ValidationOutcome): void {
    const bucket = this.current();
    bucket.outcomes.set(outcome, (bucket.outcomes.get(outcome) ?? 0) + 1);
  }

  onCacheLookup(hit: boolean): void {
    const bucket = this.current();
    if (hit) bucket.cacheHits++;
    else bucket.cacheMisses++;
  }

  /** The counts of the last `minutes` minutes, the current one included. */
  span(minutes: number): TallySpan {
    const last = Math.floor(this.now() / MINUTE_MS);
    const result: TallySpan = { total: 0, byOutcome: new Map(), cacheHits: 0, cacheMisses: 0 };
    for (const bucket of this.ring) {
      if (bucket.minute <= last - minutes || bucket.minute > last) continue;
      for (const [outcome, n] of bucket.outcomes) {
        result.byOutcome.set(outcome, (result.byOutcome.get(outcome) ?? 0) + n);
        result.total += n;
      }
      result.cacheHits += bucket.cacheHits;
      result.cacheMisses += bucket.cacheMisses;
    }
    return result;
  }

  /** Valid and refused validations per hour for the last `hours` hours, oldest first. */
  hourly(hours = 24): { hoursAgo: number; valid: number; refused: number }[] {
    const last = Math.floor(this.now() / MINUTE_MS);
    const rows = Array.from({ length: hours }, (_, i) => ({
      hoursAgo: hours - 1 - i,
      valid: 0,
      refused: 0,
    }));
    for (const bucket of this.ring) {
      const age = Math.floor((last - bucket.minute) / 60);
      if (bucket.minute < 0 || age < 0 || age >= hours) continue;
      const row = rows[hours - 1 - age]!;
      for (const [outcome, n] of bucket.outcomes) {
        if (outcome === 'valid') row.valid += n;
        else row.refused += n;
      }
    }
    return rows;
  }

  private current(): MinuteBucket {
    const minute = Math.floor(this.now() / MINUTE_MS);
    const bucket = this.ring[minute % MINUTES_KEPT]!;
    if (bucket.minute !== minute) {
      bucket.minute = minute;
      bucket.outcomes.clear();
      bucket.cacheHits = 0;
      bucket.cacheMisses = 0;
    }
    return bucket;
  }
}
