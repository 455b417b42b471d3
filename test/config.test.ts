import { ConfigError, loadConfig } from '../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has a default for every setting, so an empty environment starts', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_PATH: './data/latchkey.db',
      LOG_LEVEL: 'info',
      CACHE_TTL_MS: 10_000,
      CACHE_MAX_ENTRIES: 10_000,
      USAGE_FLUSH_INTERVAL_MS: 5_000,
      BCRYPT_COST: 12,
      TRUST_PROXY: false,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      BODY_LIMIT: '100kb',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
  });

  it('reads numbers, booleans and words', () => {
    expect(
      loadConfig({
        PORT: '0',
        CACHE_TTL_MS: '0',
        TRUST_PROXY: 'yes',
        LOG_LEVEL: 'silent',
        BODY_LIMIT: '1mb',
        DATABASE_PATH: ':memory:',
      }),
    ).toMatchObject({
      PORT: 0,
      CACHE_TTL_MS: 0,
      TRUST_PROXY: true,
      LOG_LEVEL: 'silent',
      BODY_LIMIT: '1mb',
      DATABASE_PATH: ':memory:',
    });
    expect(loadConfig({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['LOG_LEVEL', 'loud'],
    ['CACHE_TTL_MS', 'ten'],
    ['CACHE_TTL_MS', '3600001'],
    ['CACHE_MAX_ENTRIES', '0'],
    ['USAGE_FLUSH_INTERVAL_MS', '10'],
    ['BCRYPT_COST', '3'],
    ['BCRYPT_COST', '16'],
    ['TRUST_PROXY', 'maybe'],
    ['SHUTDOWN_TIMEOUT_MS', '1e3'],
    ['BODY_LIMIT', 'lots'],
  ])('names %s when it is %p', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: .*"${value}"`));
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PORT: 'x', BCRYPT_COST: '99', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'BCRYPT_COST',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ SOMETHING_ELSE: '!!!' })).not.toThrow();
  });
});
