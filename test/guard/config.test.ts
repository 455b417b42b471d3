import { ConfigError, loadConfig } from '../../src/config';

describe('guardrail configuration', () => {
  it('defaults to 60 invalid keys per IP per minute and in-memory rate-limit counts', () => {
    expect(loadConfig({})).toMatchObject({
      INVALID_KEY_LIMIT_PER_MINUTE: 60,
      RATE_LIMIT_BACKEND: 'memory',
    });
  });

  it('reads both settings from the environment', () => {
    const config = loadConfig({ INVALID_KEY_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BACKEND: 'store' });
    expect(config).toMatchObject({ INVALID_KEY_LIMIT_PER_MINUTE: 0, RATE_LIMIT_BACKEND: 'store' });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ INVALID_KEY_LIMIT_PER_MINUTE: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ INVALID_KEY_LIMIT_PER_MINUTE: 'lots' })).toThrow(
      /INVALID_KEY_LIMIT_PER_MINUTE/,
    );
    expect(() => loadConfig({ RATE_LIMIT_BACKEND: 'redis' })).toThrow(/RATE_LIMIT_BACKEND/);
  });
});
