import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { FailureReason, Validation } from '../core/validation-result';

export interface InvalidKeyGuardOptions {
  /** Failed validations one IP may make per minute before it is refused; 0 turns the guard off. */
  failuresPerMinute: number;
  /** Failures after which each further failure answers more slowly (default: half the limit). */
  slowAfter?: number;
  /** Added to each slowed answer per failure beyond `slowAfter`, up to `maxDelayMs`. */
  delayStepMs?: number;
  maxDelayMs?: number;
  /**
   * Store reads per second a refused address may still spend on well-formed keys this
   * process has not seen (default 5), so a valid key behind a shared address gets through.
   */
  heldBackReadsPerSecond?: number;
}

/** Failures that say nothing about the key being good: these are what guessing produces. */
const NOT_COUNTED: ReadonlySet<FailureReason> = new Set(['wrong_kind', 'rate_limited']);

const REFUSED_MESSAGE = 'Too many invalid API keys from this address. Try again later.';

/**
 * Slows, then refuses, an IP that keeps sending invalid keys. The refusal comes
 * before validation, so a flood of made-up tokens costs no store read. Counts are
 * per process and in memory: they protect the store, not a global quota.
 */
/** One address's failures in its current one-minute window. */
interface FailureWindow {
  failures: number;
  resetAt: number;
  /** Store reads spent while refused, in the second that started at `readsSecond`. */
  reads: number;
  readsSecond: number;
}

export class InvalidKeyGuard {
  // Synchronous and in memory, so checking an address adds no promise to a valid request.
  private readonly windows = new LRUCache<string, FailureWindow>({ max: 100_000 });
  private readonly limit: number;
  private readonly slowAfter: number;
  private readonly delayStepMs: number;
  private readonly maxDelayMs: number;
  private readonly heldBackReadsPerSecond: number;

  constructor(options: InvalidKeyGuardOptions) {
    this.limit = options.failuresPerMinute;
    this.slowAfter = options.slowAfter ?? Math.ceil(this.limit / 2);
    this.delayStepMs = options.delayStepMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 1_000;
    this.heldBackReadsPerSecond = options.heldBackReadsPerSecond ?? 5;
  }

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** True while some address has failures counted: until then there is nothing to refuse. */
  get watching(): boolean {
    return this.enabled && this.windows.size > 0;
  }

  private window(ip: string, now: number): FailureWindow | undefined {
    const w = this.windows.get(ip);
    return w && w.resetAt > now ? w : undefined;
  }

  /** The refusal for an address over its limit, or null when it may be served. */
  refusal(ip: string): Extract<Validation, { valid: false }> | null {
    if (!this.enabled) return null;
    const now = Date.now();
    const w = this.window(ip, now);
    if (!w || w.failures < this.limit) return null;
    return {
      valid: false,
      reason: 'rate_limited',
      message: REFUSED_MESSAGE,
      retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
    };
  }

  /**
   * Whether a refused address may spend one store read on a key it sends (a well-formed
   * key not cached as valid): at most `heldBackReadsPerSecond` a second per address.
   */
  allowStoreRead(ip: string): boolean {
    const now = Date.now();
    const w = this.window(ip, now);
    if (!w) return true;
    const second = Math.floor(now / 1000);
    if (w.readsSecond !== second) {
      w.readsSecond = second;
      w.reads = 0;
    }
    if (w.reads >= this.heldBackReadsPerSecond) return false;
    w.reads++;
    return true;
  }

  /** Counts a failed validation; returns how long (ms) to hold its answer back. */
  recordFailure(ip: string, reason: FailureReason): number {
    if (!this.enabled || NOT_COUNTED.has(reason)) return 0;
    const now = Date.now();
    let w = this.window(ip, now);
    if (!w) {
      w = { failures: 0, resetAt: now + 60_000, reads: 0, readsSecond: 0 };
      this.windows.set(ip, w);
    }
    w.failures++;
    const over = w.failures - this.slowAfter;
    return over > 0 ? Math.min(this.maxDelayMs, over * this.delayStepMs) : 0;
  }

  /** Runs `validate` for a request from `ip`, unless that IP has failed too often. */
  async check(ip: string, validate: () => Promise<Validation>): Promise<Validation> {
    const refused = this.refusal(ip);
    if (refused) return refused;
    const result = await validate();
    if (!result.valid) {
      const delayMs = this.recordFailure(ip, result.reason);
      if (delayMs > 0) await sleep(delayMs);
    }
    return result;
  }
}
