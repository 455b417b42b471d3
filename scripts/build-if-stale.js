#!/usr/bin/env node
/**
 * `npm run build`: runs tsc -p tsconfig.build.json only when something under src/ or a
 * tsconfig is newer than the last build, so `npm start` and `npm run latchkey`, which build
 * first, start at once on an unchanged tree. The last build's time is the mtime of
 * dist/.tsbuildinfo, which tsc writes when it emits; after a build this script sets it to
 * the build's start, since a no-op tsc leaves it alone.
 *
 *   --force  build even when dist/ looks current (tsc itself still skips unchanged files)
 *   --prune  first delete compiled files in dist/ whose source is gone, so none is shipped
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.tsbuildinfo');
/** Folders in dist/ that other tsconfigs write (example, load test): not built from src/. */
const NOT_FROM_SRC = new Set(['example-embedded', 'loadtest']);

/** The newest mtime of a folder's entries, folders included (a deleted file changes its folder). */
function newestMtime(dir) {
  let newest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function mtimeOrZero(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Deletes dist/x.js, x.d.ts and their maps when src/x.ts no longer exists. */
function pruneOrphans(dir, rel = '') {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relPath = path.join(rel, entry.name);
    if (entry.isDirectory()) {
      if (!(rel === '' && NOT_FROM_SRC.has(entry.name)))
        pruneOrphans(path.join(dir, entry.name), relPath);
      continue;
    }
    const base = /^(.*?)(\.d\.ts|\.js)(\.map)?$/.exec(relPath);
    if (base && !fs.existsSync(path.join(src, `${base[1]}.ts`))) {
      fs.rmSync(path.join(dir, entry.name));
    }
  }
}

const args = new Set(process.argv.slice(2));
if (args.has('--prune')) pruneOrphans(dist);

const inputs = Math.max(
  newestMtime(src),
  mtimeOrZero(path.join(root, 'tsconfig.json')),
  mtimeOrZero(path.join(root, 'tsconfig.build.json')),
);
if (!args.has('--force') && mtimeOrZero(stamp) >= inputs) process.exit(0);

const started = new Date();
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
if (fs.existsSync(stamp)) fs.utimesSync(stamp, started, started);
