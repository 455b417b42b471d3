import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { LatchkeyError } from '../../core/errors';

export interface LoginThrottleOptions {
  /** Failed sign-ins allowed per account in one window (default 5). */
  perAccount?: number;
  /** Failed sign-ins allowed per client IP in one window (default 20). */
  perIp?: number;
  /** Window length; refusals end when it does, so nobody is locked out for good (default 900). */
  windowSeconds?: number;
}

/**
 * Limits password checks per account and per IP. Each try is taken before the
 * password is checked and given back when it was right, so however many guesses
 * arrive at once, no more than the limit are ever checked in one window.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterMemory;
  private readonly byIp: RateLimiterMemory;

  constructor(options: LoginThrottleOptions = {}) {
    const duration = options.windowSeconds ?? 900;
    this.byAccount = new RateLimiterMemory({
      keyPrefix: 'account',
      points: options.perAccount ?? 5,
      duration,
    });
    this.byIp = new RateLimiterMemory({ keyPrefix: 'ip', points: options.perIp ?? 20, duration });
  }

  /**
   * Takes one try for this account and address, before the password is checked.
   * Refuses (429 with Retry-After) when either has none left; a refused try takes nothing.
   */
  async takeTry(res: Response, account: string, ip: string): Promise<void> {
    const key = account.toLowerCase();
    const taken = await Promise.allSettled([this.byAccount.consume(key), this.byIp.consume(ip)]);
    const waitMs = Math.max(
      ...taken.map((t) =>
        t.status === 'rejected' && t.reason instanceof RateLimiterRes ? t.reason.msBeforeNext : 0,
      ),
    );
    if (taken.every((t) => t.status === 'fulfilled')) return;
    // consume() counts even when it refuses: give both back so the refusal costs nothing.
    await Promise.all([this.byAccount.reward(key), this.byIp.reward(ip)]);
    const wait = Math.max(1, Math.ceil(waitMs / 1000));
    res.set('Retry-After', String(wait));
    throw new LatchkeyError(
      'rate_limited',
      `Too many failed sign-in attempts. Wait ${Math.ceil(wait / 60)} minute(s) and try again.`,
    );
  }

  /** The password was right: the address gets its try back and the account starts over. */
  async succeeded(account: string, ip: string): Promise<void> {
    await Promise.all([this.byAccount.delete(account.toLowerCase()), this.byIp.reward(ip)]);
  }
}

/** Sign-ups allowed per client IP per hour; each one costs a bcrypt hash. 0 turns the limit off. */
export class SignupLimit {
  private readonly byIp: RateLimiterMemory | null;

  constructor(perHour = 10) {
    this.byIp =
      perHour > 0
        ? new RateLimiterMemory({ keyPrefix: 'signup', points: perHour, duration: 3600 })
        : null;
  }

  /** Takes one sign-up for this address, or refuses (429 with Retry-After) when none is left. */
  async take(res: Response, ip: string): Promise<void> {
    if (!this.byIp) return;
    try {
      await this.byIp.consume(ip);
    } catch (err) {
      const waitMs = err instanceof RateLimiterRes ? err.msBeforeNext : 3_600_000;
      res.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new LatchkeyError(
        'rate_limited',
        'Too many accounts were created from this address. Try again in an hour.',
      );
    }
  }
}
