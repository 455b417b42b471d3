import { ConfigError, loadConfig } from '../src/config';

describe('session configuration', () => {
  it('requires SESSION_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
  });

  it('accepts a missing SESSION_SECRET outside production', () => {
    expect(loadConfig({}).SESSION_SECRET).toBeUndefined();
  });

  it('refuses a short SESSION_SECRET without echoing it', () => {
    const err = (() => {
      try {
        loadConfig({ SESSION_SECRET: 'short-secret-value' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/SESSION_SECRET: must be at least 32 characters/);
    expect(err?.message).not.toContain('short-secret-value');
  });

  it('has idle and absolute timeouts and a base path by default', () => {
    const c = loadConfig({});
    expect([c.SESSION_IDLE_MINUTES, c.SESSION_ABSOLUTE_HOURS, c.PAGES_BASE_PATH]).toEqual([
      30,
      12,
      '/',
    ]);
  });

  it('refuses a base path that is not a clean path', () => {
    expect(() => loadConfig({ PAGES_BASE_PATH: 'account' })).toThrow(/PAGES_BASE_PATH/);
  });
});
