import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Each package entry loads only what it needs: requiring the built `latchkey` in a fresh
 * process must not pull in the MongoDB driver or the page machinery (EJS, sessions).
 */

const root = path.resolve(__dirname, '../..');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-if-stale.js'], {
    cwd: root,
    stdio: 'pipe',
    timeout: 120_000,
  });
}, 130_000);

/** Runs `script` in a fresh Node process in the repository, which resolves `latchkey` to dist/. */
function inFreshProcess(script: string): unknown {
  const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out);
}

/** The node_modules packages a fresh process has loaded once it requires `entry`. */
function packagesLoadedBy(entry: string): string[] {
  return inFreshProcess(`
    require(${JSON.stringify(entry)});
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      for (const m of file.matchAll(/node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/g)) names.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `) as string[];
}

const exportsOf = (entry: string) =>
  inFreshProcess(
    `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(entry)})).sort()))`,
  ) as string[];

test('latchkey loads the SQLite store but not mongoose', () => {
  const loaded = packagesLoadedBy('latchkey');
  expect(loaded).toContain('better-sqlite3');
  expect(loaded).not.toContain('mongoose');
});

test('latchkey loads neither ejs nor express-session (the pages are latchkey/pages)', () => {
  const loaded = packagesLoadedBy('latchkey');
  expect(loaded).not.toContain('ejs');
  expect(loaded).not.toContain('express-session');
});

test('latchkey/client loads no server-side dependency', () => {
  const loaded = packagesLoadedBy('latchkey/client');
  for (const name of ['express', 'mongoose', 'ejs', 'express-session', 'better-sqlite3', 'bcrypt'])
    expect(loaded).not.toContain(name);
});

test('every entry resolves through package.json exports with its functions', () => {
  expect(exportsOf('latchkey')).toEqual(
    expect.arrayContaining([
      'createLatchkey',
      'createSqliteStore',
      'LatchkeyError',
      'ERROR_CODES',
      'FAILURE_REASONS',
      'rateLimitBackend',
      'memoryRateLimits',
      'sqliteRateLimits',
    ]),
  );
  expect(exportsOf('latchkey')).not.toContain('createMongoStore');
  expect(exportsOf('latchkey/pages')).toEqual(['createHostedPages']);
  expect(exportsOf('latchkey/admin')).toEqual(['createAdminPages']);
  expect(exportsOf('latchkey/rest')).toEqual([
    'BACKEND_API_PREFIX',
    'buildOpenApiDocument',
    'createBackendApi',
  ]);
  expect(exportsOf('latchkey/mongo')).toEqual([
    'createMongoStore',
    'createPageSessionStore',
    'mongoRateLimits',
    'watchKeyChanges',
  ]);
  expect(exportsOf('latchkey/client')).toContain('createLatchkeyClient');
  expect(exportsOf('latchkey/server')).toEqual(
    expect.arrayContaining(['createApp', 'loadConfig', 'startServer']),
  );
});
