import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  memoryRateLimits,
  rateLimitBackend,
  type RateLimitBackend,
} from '../../src/core/rate-limits';
import type { Validation } from '../../src/core/validation-result';
import { makeLatchkey } from '../support/harness';

describe('the in-memory rate-limit backend', () => {
  afterEach(() => jest.useRealTimers());

  it('counts each subject in fixed windows and says how many seconds to wait', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const limiter = memoryRateLimits().limiter('key', { limit: 2, periodSeconds: 10 });
    expect(limiter.consumeNow?.('a')).toBeNull();
    jest.advanceTimersByTime(4_000);
    expect(limiter.consumeNow?.('a')).toBeNull();
    expect(limiter.consumeNow?.('a')).toBe(6);
    expect(limiter.consumeNow?.('b')).toBeNull();
    jest.advanceTimersByTime(5_500);
    expect(limiter.consumeNow?.('a')).toBe(1);
    jest.advanceTimersByTime(500);
    expect(limiter.consumeNow?.('a')).toBeNull();
  });

  it('gives the same count through a promise', async () => {
    const limiter = memoryRateLimits().limiter('user', { limit: 1, periodSeconds: 60 });
    await expect(limiter.consume('a')).resolves.toBeNull();
    await expect(limiter.consume('a')).resolves.toBe(60);
    expect(limiter.consumeNow?.('a')).toBe(60);
  });

  it('keeps one count per scope and allowance', () => {
    const backend = memoryRateLimits();
    const allowance = { limit: 1, periodSeconds: 60 };
    expect(backend.limiter('key', allowance).consumeNow?.('s')).toBeNull();
    expect(backend.limiter('key', { ...allowance }).consumeNow?.('s')).toBe(60);
    expect(backend.limiter('user', allowance).consumeNow?.('s')).toBeNull();
    expect(backend.limiter('key', { limit: 2, periodSeconds: 60 }).consumeNow?.('s')).toBeNull();
  });
});

/** A backend whose counts answer only through a promise, as a shared one does. */
const countedElsewhere = (): RateLimitBackend =>
  rateLimitBackend((spec) => new RateLimiterMemory(spec), false);

async function keyWithLimits(backend?: RateLimitBackend) {
  const latchkey = await makeLatchkey(backend ? { rateLimitBackend: backend } : {});
  const user = await latchkey.createUser({ email: 'limited@example.com' });
  const token = async (limit?: number) =>
    (
      await latchkey.createApiKey({
        userId: user.id,
        rateLimit: limit ? { limit, periodSeconds: 60 } : null,
      })
    ).apiKeyToken;
  return { latchkey, user, token };
}

const limited = { valid: false, reason: 'rate_limited', retryAfterSeconds: 60 };

describe('validation rate limits', () => {
  it('counted in this process give their verdict in the same tick as a cached lookup', async () => {
    const { latchkey, token } = await keyWithLimits();
    const t = await token(2);
    expect((await latchkey.validateApiKey(t)).valid).toBe(true);
    const second = latchkey.validator.validateInline(t);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ valid: true });
    const third = latchkey.validator.validateInline(t);
    expect(third).not.toBeInstanceOf(Promise);
    expect(third).toMatchObject(limited);
    await latchkey.close();
  });

  it('hold for a 31-day allowance', async () => {
    const { latchkey, user } = await keyWithLimits();
    const { apiKeyToken } = await latchkey.createApiKey({
      userId: user.id,
      rateLimit: { limit: 1, periodSeconds: 31 * 86_400 },
    });
    expect((await latchkey.validateApiKey(apiKeyToken)).valid).toBe(true);
    // Let any timer run: one armed for longer than 24.8 days fires after 1 ms instead.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await latchkey.validateApiKey(apiKeyToken)).toMatchObject({
      reason: 'rate_limited',
      retryAfterSeconds: 31 * 86_400,
    });
    await latchkey.close();
  });

  it('counted elsewhere arrive through a promise with the same verdicts', async () => {
    const { latchkey, token } = await keyWithLimits(countedElsewhere());
    const t = await token(1);
    expect((await latchkey.validateApiKey(t)).valid).toBe(true);
    const second = latchkey.validator.validateInline(t);
    expect(second).toBeInstanceOf(Promise);
    expect(await second).toMatchObject(limited);
    await latchkey.close();
  });

  it.each([
    ['in this process', undefined],
    ['elsewhere', countedElsewhere],
  ])(
    "count against the user's allowance only what the key's own allowance let through (counted %s)",
    async (_where, backend) => {
      const { latchkey, token } = await keyWithLimits(backend?.());
      await latchkey.updateSettings({ userRateLimit: { limit: 3, periodSeconds: 60 } });
      const [own, other] = [await token(1), await token()];
      const verdicts: Validation[] = [];
      for (const t of [own, own, own, other, other, other])
        verdicts.push(await latchkey.validateApiKey(t));
      expect(verdicts.map((v) => v.valid)).toEqual([true, false, false, true, true, false]);
      expect(verdicts[1]).toMatchObject(limited);
      expect(verdicts[5]).toMatchObject(limited);
      await latchkey.close();
    },
  );
});

describe('a rate-limited validation', () => {
  it.each([
    ['in this process', undefined],
    ['elsewhere', countedElsewhere],
  ])('names the allowance that ran out: key, user or org (counted %s)', async (_where, backend) => {
    const { latchkey, token } = await keyWithLimits(backend?.());
    const org = await latchkey.createOrg({ name: 'Limited Inc' });
    await latchkey.updateSettings({
      userRateLimit: { limit: 2, periodSeconds: 60 },
      orgRateLimit: { limit: 1, periodSeconds: 60 },
    });
    const refusal = async (t: string) => {
      await latchkey.validateApiKey(t);
      const second = await latchkey.validateApiKey(t);
      return second.valid ? 'passed' : second.message;
    };
    expect(await refusal(await token(1))).toBe('Too many requests with this API key.');
    expect(await refusal(await token())).toBe(
      "Too many requests with this user's API keys (the user's allowance ran out).",
    );
    const orgKey = await latchkey.createApiKey({ orgId: org.id });
    expect(await refusal(orgKey.apiKeyToken)).toBe(
      "Too many requests with this organization's API keys (the org's allowance ran out).",
    );
    await latchkey.close();
  });
});
