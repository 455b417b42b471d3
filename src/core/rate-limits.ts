import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ApiKey, RateLimit, Settings } from './types';

/** Counts one event for a subject; null when it is within the allowance, else seconds to wait. */
export interface Limiter {
  consume(subject: string): Promise<number | null>;
}

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

/** Wraps rate-limiter-flexible limiters made by `factory` as a backend. */
export function rateLimitBackend(factory: LimiterFactory, shared: boolean): RateLimitBackend {
  const limiters = new LRUCache<string, Limiter>({ max: MAX_LIMITERS });
  return {
    shared,
    limiter(scope, { limit, periodSeconds }) {
      // The allowance is part of the prefix, so changing a limit starts a fresh count.
      const keyPrefix = `lk:${scope}:${limit}/${periodSeconds}`;
      let limiter = limiters.get(keyPrefix);
      if (!limiter) {
        limiter = wrap(factory({ keyPrefix, points: limit, duration: periodSeconds }));
        limiters.set(keyPrefix, limiter);
      }
      return limiter;
    },
  };
}

const withinAllowance = (): null => null;

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error otherwise. */
function secondsToWait(rejection: unknown): number {
  if (rejection instanceof RateLimiterRes)
    return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
  throw rejection;
}

function wrap(limiter: RateLimiterAbstract): Limiter {
  return { consume: (subject) => limiter.consume(subject).then(withinAllowance, secondsToWait) };
}

/**
 * Counts in this process only: the default, and right for a single server process.
 * Each allowance's limiter keeps a Map of its own, so the subject alone keys it: with a
 * prefix, rate-limiter-flexible would build (and hash) a new string on every count.
 */
export const memoryRateLimits = (): RateLimitBackend =>
  rateLimitBackend((spec) => new RateLimiterMemory({ ...spec, keyPrefix: '' }), false);

/** Whose validations an allowance counts. */
type Scope = 'key' | 'user' | 'org';

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
  private readonly limiters: Record<Scope, WeakMap<RateLimit, Limiter>> = {
    key: new WeakMap(),
    user: new WeakMap(),
    org: new WeakMap(),
  };

  constructor(readonly backend: RateLimitBackend) {}

  /** Whether any allowance applies to this key (when none does, validation needs no count). */
  appliesTo(key: ApiKey, settings: Settings): boolean {
    return (
      key.rateLimit !== null ||
      (key.kind === 'personal' && settings.userRateLimit !== null) ||
      (key.kind === 'org' && settings.orgRateLimit !== null)
    );
  }

  /** null when this validation is within every allowance that applies, else seconds to wait. */
  consume(key: ApiKey, settings: Settings): Promise<number | null> {
    const owner = this.ownerCount(key, settings);
    if (!key.rateLimit) return owner ? owner() : Promise.resolve(null);
    const own = this.limiter('key', key.rateLimit).consume(key.id);
    return owner ? own.then((wait) => (wait === null ? owner() : wait)) : own;
  }

  /** Counts against the user's allowance (personal keys) or the org's (org keys), if set. */
  private ownerCount(key: ApiKey, settings: Settings): (() => Promise<number | null>) | null {
    if (key.kind === 'personal' && key.userId && settings.userRateLimit) {
      const limiter = this.limiter('user', settings.userRateLimit);
      const userId = key.userId;
      return () => limiter.consume(userId);
    }
    if (key.kind === 'org' && key.orgId && settings.orgRateLimit) {
      const limiter = this.limiter('org', settings.orgRateLimit);
      const orgId = key.orgId;
      return () => limiter.consume(orgId);
    }
    return null;
  }

  private limiter(scope: Scope, allowance: RateLimit): Limiter {
    const known = this.limiters[scope];
    let limiter = known.get(allowance);
    if (!limiter) known.set(allowance, (limiter = this.backend.limiter(scope, allowance)));
    return limiter;
  }
}
