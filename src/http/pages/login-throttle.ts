import type { Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
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
 * Counts failed sign-ins per account and per IP and refuses further tries for
 * the rest of the window once either runs out. A success clears the account's count.
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

  /** Seconds the caller must wait before trying again, or 0 when a try is allowed. */
  async waitSeconds(account: string, ip: string): Promise<number> {
    const [a, i] = await Promise.all([
      this.byAccount.get(account.toLowerCase()),
      this.byIp.get(ip),
    ]);
    const waits = [
      a && a.consumedPoints >= this.byAccount.points ? a.msBeforeNext : 0,
      i && i.consumedPoints >= this.byIp.points ? i.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...waits) / 1000);
  }

  /** Refuses (429 with Retry-After) a sign-in try while the account or the address must wait. */
  async refuseWhileThrottled(res: Response, account: string, ip: string): Promise<void> {
    const wait = await this.waitSeconds(account, ip);
    if (wait === 0) return;
    res.set('Retry-After', String(wait));
    throw new LatchkeyError(
      'rate_limited',
      `Too many failed sign-in attempts. Wait ${Math.ceil(wait / 60)} minute(s) and try again.`,
    );
  }

  async failed(account: string, ip: string): Promise<void> {
    // consume() rejects once the points are spent; that is the state waitSeconds reads.
    await Promise.allSettled([
      this.byAccount.consume(account.toLowerCase()),
      this.byIp.consume(ip),
    ]);
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account.toLowerCase());
  }
}
