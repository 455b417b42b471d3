import { LRUCache } from 'lru-cache';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyToValidate } from './store';
import type { RateLimit, Settings } from './types';
import { secondsToWaitFor, WindowCounts } from './window-counts';

/** Counts one event for a subject; null when it is within the allowance, else seconds to wait. */
export interface Limiter {
  consume(subject: string): Promise<number | null>;
  /**
   * The same count, answered at once. Only a limiter whose counts live in this process
   * has it; then a validation that counts needs no promise. `nowMs` saves a clock read
   * for a caller that has one.
   */
  consumeNow?(subject: string, nowMs?: number): number | null;
}

/** null within the allowance, else seconds to wait; a promise only when the count waits on I/O. */
export type WaitSeconds = number | null | Promise<number | null>;

/**
 * Where the counts live. The in-memory backend counts per process; a shared
 * backend (the store's database, Redis...) counts once for every process of a deployment.
 */
export interface RateLimitBackend {
  readonly shared: boolean;
  /** The limiter for one allowance; `scope` keeps users, orgs and keys apart. */
  limiter(scope: string, allowance: RateLimit): Limiter;
}

/** What a rate-limiter-flexible limiter needs to know about one allowance. */
export interface LimiterSpec {
  keyPrefix: string;
  points: number;
  duration: number;
}

export type LimiterFactory = (spec: LimiterSpec) => RateLimiterAbstract;

/** How many distinct allowances keep a limiter object alive (per-key limits can all differ). */
const MAX_LIMITERS = 1_000;

/** A backend keeping one limiter, made by `make`, per allowance. */
function backendOf(shared: boolean, make: (spec: LimiterSpec) => Limiter): RateLimitBackend {
  const limiters = new LRUCache<string, Limiter>({ max: MAX_LIMITERS });
  return {
    shared,
    limiter(scope, { limit, periodSeconds }) {
      // The allowance is part of the prefix, so changing a limit starts a fresh count.
      const keyPrefix = `lk:${scope}:${limit}/${periodSeconds}`;
      let limiter = limiters.get(keyPrefix);
      if (!limiter) {
        limiter = make({ keyPrefix, points: limit, duration: periodSeconds });
        limiters.set(keyPrefix, limiter);
      }
      return limiter;
    },
  };
}

/** Wraps rate-limiter-flexible limiters made by `factory` as a backend. */
export const rateLimitBackend = (factory: LimiterFactory, shared: boolean): RateLimitBackend =>
  backendOf(shared, (spec) => wrap(factory(spec)));

const withinAllowance = (): null => null;

const secondsBefore = (res: RateLimiterRes): number => secondsToWaitFor(res.msBeforeNext);

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error otherwise. */
function secondsToWait(rejection: unknown): number {
  if (rejection instanceof RateLimiterRes) return secondsBefore(rejection);
  throw rejection;
}

function wrap(limiter: RateLimiterAbstract): Limiter {
  return { consume: (subject) => limiter.consume(subject).then(withinAllowance, secondsToWait) };
}

/** Told when a shared backend starts counting in this process, and when its store answers again. */
export interface SharedCountsHealth {
  failing(err: unknown): void;
  recovered(): void;
}

/**
 * As `rateLimitBackend(factory, true)`, but a count the shared store cannot take (an error
 * rather than a verdict) is counted in this process instead, in windows of the same
 * allowance, until the store answers again: an outage neither refuses every caller nor
 * lifts the limits. Any error counts as an outage, so `health` hears of the first one
 * (and of the recovery) to make it visible: with N processes each counting on its own, a
 * client gets up to N times its allowance meanwhile.
 */
export function insuredSharedBackend(
  factory: LimiterFactory,
  health?: SharedCountsHealth,
): RateLimitBackend {
  let failing = false;
  const answered = () => {
    if (!failing) return;
    failing = false;
    health?.recovered();
  };
  const failed = (err: unknown) => {
    if (failing) return;
    failing = true;
    health?.failing(err);
  };
  return backendOf(true, (spec) => {
    const shared = factory(spec);
    const local = new WindowCounts(spec.points, spec.duration * 1000);
    return {
      consume: (subject) =>
        shared.consume(subject).then(
          () => {
            answered();
            return null;
          },
          (rejection: unknown) => {
            if (rejection instanceof RateLimiterRes) {
              answered();
              return secondsBefore(rejection);
            }
            failed(rejection);
            return local.count(subject);
          },
        ),
    };
  });
}

/**
 * Counts in this process only: the default, and right for a single server process.
 * Each allowance counts in windows of its own (`WindowCounts`), so the subject alone keys
 * them, and a count is answered at once rather than through a promise.
 */
export const memoryRateLimits = (): RateLimitBackend =>
  backendOf(false, ({ points, duration }) => {
    const windows = new WindowCounts(points, duration * 1000);
    const consumeNow = (subject: string, nowMs?: number): number | null =>
      windows.count(subject, nowMs);
    return { consumeNow, consume: async (subject) => consumeNow(subject) };
  });

/** Counts through the limiter's synchronous path when it has one (any thenable becomes a promise). */
const count = (limiter: Limiter, subject: string, nowMs: number): WaitSeconds =>
  limiter.consumeNow
    ? limiter.consumeNow(subject, nowMs)
    : Promise.resolve(limiter.consume(subject));

/** Whose validations an allowance counts. */
export type Allowance = 'key' | 'user' | 'org';

/** A validation the allowances refused: which one ran out, and for how long. */
export interface RateLimitRefusal {
  allowance: Allowance;
  waitSeconds: number;
}

/** null within every allowance; a promise only when a count waits on I/O. */
export type RateLimitVerdict = RateLimitRefusal | null | Promise<RateLimitRefusal | null>;

const refusedBy = (allowance: Allowance, wait: number | null): RateLimitRefusal | null =>
  wait === null ? null : { allowance, waitSeconds: wait };

/** `count`'s answer as a verdict of `allowance`. */
function verdictOf(allowance: Allowance, wait: WaitSeconds): RateLimitVerdict {
  return wait instanceof Promise
    ? wait.then((w) => refusedBy(allowance, w))
    : refusedBy(allowance, wait);
}

/**
 * The validation allowances: the key's own, then its user's (personal keys) or its
 * org's (org keys). Only validations that would otherwise succeed are counted.
 */
export class ValidationRateLimits {
  /**
   * Limiters by allowance object: a cached key and the current settings hand over the
   * same frozen allowance on every validation, so most lookups skip building the
   * backend's string key. Weak, so a replaced allowance is simply forgotten.
   */
  private readonly limiters: Record<Allowance, WeakMap<RateLimit, Limiter>> = {
    key: new WeakMap(),
    user: new WeakMap(),
    org: new WeakMap(),
  };

  constructor(readonly backend: RateLimitBackend) {}

  /** Whether any allowance applies to this key (when none does, validation needs no count). */
  appliesTo(key: KeyToValidate, settings: Settings): boolean {
    return (
      key.rateLimit !== null ||
      (key.kind === 'personal' && settings.userRateLimit !== null) ||
      (key.kind === 'org' && settings.orgRateLimit !== null)
    );
  }

  /**
   * null when this validation is within every allowance that applies, else the allowance
   * that ran out and the seconds to wait: the key's own allowance is counted first, its
   * owner's only if that one passes. Answered at once when the backend counts in this
   * process; `nowMs` is the caller's clock reading.
   */
  consume(key: KeyToValidate, settings: Settings, nowMs = Date.now()): RateLimitVerdict {
    if (key.rateLimit) {
      const own = count(this.limiter('key', key.rateLimit), key.id, nowMs);
      if (own instanceof Promise)
        return own.then((wait) =>
          wait === null ? this.countOwner(key, settings, Date.now()) : refusedBy('key', wait),
        );
      if (own !== null) return refusedBy('key', own);
    }
    return this.countOwner(key, settings, nowMs);
  }

  /** Counts against the user's allowance (personal keys) or the org's (org keys), if set. */
  private countOwner(key: KeyToValidate, settings: Settings, nowMs: number): RateLimitVerdict {
    if (key.kind === 'personal' && key.userId && settings.userRateLimit)
      return verdictOf(
        'user',
        count(this.limiter('user', settings.userRateLimit), key.userId, nowMs),
      );
    if (key.kind === 'org' && key.orgId && settings.orgRateLimit)
      return verdictOf('org', count(this.limiter('org', settings.orgRateLimit), key.orgId, nowMs));
    return null;
  }

  private limiter(scope: Allowance, allowance: RateLimit): Limiter {
    const known = this.limiters[scope];
    let limiter = known.get(allowance);
    if (!limiter) known.set(allowance, (limiter = this.backend.limiter(scope, allowance)));
    return limiter;
  }
}
