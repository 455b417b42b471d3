import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('the SCOPES setting', () => {
  it('is unset by default', () => {
    expect(loadConfig({}).SCOPES).toBeUndefined();
  });

  it('takes inline JSON', () => {
    expect(loadConfig({ SCOPES: '[{"name":"projects:read"}]' }).SCOPES).toEqual([
      { name: 'projects:read' },
    ]);
  });

  it('takes the path of a JSON file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'scopes-')), 'scopes.json');
    const option = { scopes: [{ name: 'a', kinds: ['org'] }], defaultScopes: ['a'] };
    writeFileSync(file, JSON.stringify(option));
    expect(loadConfig({ SCOPES: file }).SCOPES).toEqual(option);
  });

  it('names SCOPES when the value is not JSON, not a file or not a valid declaration', () => {
    expect(problemsOf({ SCOPES: '[{"name":' })[0]).toMatch(/^SCOPES: /);
    expect(problemsOf({ SCOPES: '/nonexistent/scopes.json' })[0]).toMatch(/^SCOPES: .*ENOENT/);
    expect(problemsOf({ SCOPES: '[{"name":"bad name"}]' })[0]).toMatch(
      /^SCOPES: scopes: "bad name" is not a valid scope name/,
    );
  });
});
