import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { FailureReason, Validation } from '../core/validation-result';

export interface InvalidKeyGuardOptions {
  /** Failed validations one IP may make per minute before it is refused; 0 turns the guard off. */
  failuresPerMinute: number;
  /** Failures after which each further failure answers more slowly (default: half the limit). */
  slowAfter?: number;
  /** Added to each slowed answer per failure beyond `slowAfter`, up to `maxDelayMs`. */
  delayStepMs?: number;
  maxDelayMs?: number;
}

/** Failures that say nothing about the key being good: these are what guessing produces. */
const NOT_COUNTED: ReadonlySet<FailureReason> = new Set(['wrong_kind', 'rate_limited']);

const REFUSED_MESSAGE = 'Too many invalid API keys from this address. Try again later.';

/**
 * Slows, then refuses, an IP that keeps sending invalid keys. The refusal comes
 * before validation, so a flood of made-up tokens costs no store read. Counts are
 * per process and in memory: they protect the store, not a global quota.
 */
export class InvalidKeyGuard {
  private readonly failures: RateLimiterMemory;
  private readonly limit: number;
  private readonly slowAfter: number;
  private readonly delayStepMs: number;
  private readonly maxDelayMs: number;

  constructor(options: InvalidKeyGuardOptions) {
    this.limit = options.failuresPerMinute;
    this.slowAfter = options.slowAfter ?? Math.ceil(this.limit / 2);
    this.delayStepMs = options.delayStepMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 1_000;
    this.failures = new RateLimiterMemory({
      keyPrefix: 'invalid-key',
      points: Math.max(1, this.limit),
      duration: 60,
    });
  }

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Runs `validate` for a request from `ip`, unless that IP has failed too often. */
  async check(ip: string, validate: () => Promise<Validation>): Promise<Validation> {
    if (!this.enabled) return validate();
    const seen = await this.failures.get(ip);
    if (seen && seen.consumedPoints >= this.limit) {
      return {
        valid: false,
        reason: 'rate_limited',
        message: REFUSED_MESSAGE,
        retryAfterSeconds: Math.max(1, Math.ceil(seen.msBeforeNext / 1000)),
      };
    }
    const result = await validate();
    if (!result.valid && !NOT_COUNTED.has(result.reason)) {
      const counted = await this.failures.penalty(ip, 1);
      const over = counted.consumedPoints - this.slowAfter;
      if (over > 0) await sleep(Math.min(this.maxDelayMs, over * this.delayStepMs));
    }
    return result;
  }
}
