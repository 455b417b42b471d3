import { execFileSync } from 'node:child_process';
import path from 'node:path';

// The layer rule in eslint/layers.mjs, run by `npm test`'s lint step on every source file:
// these cases show it refuses what ARCHITECTURE.md forbids and lets the allowed arrows through.
// ESLint loads its ESM config with a dynamic import, which jest's module sandbox cannot do, so
// one child process lints every case below and answers with the rule's messages.
const root = path.join(__dirname, '..');
const cases: [file: string, code: string][] = [];
let answers: string[][] | undefined;

function lintAll(): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, code] of cases) {
        const [result] = await eslint.lintText(code, { filePath: require('path').resolve(file) });
        out.push(result.messages.filter((m) => m.ruleId === 'latchkey/layers').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: root }).toString(),
  ) as string[][];
}

/** Registers a case now (so one child lints them all) and reads its answer in the test. */
function layerErrors(file: string, code: string): () => string[] {
  const index = cases.push([file, code]) - 1;
  return () => (answers ??= lintAll())[index]!;
}

const upward: [layer: string, file: string, code: string][] = [
  ['core', 'src/core/probe.ts', "export * from '../http/rest/routes';"],
  ['core', 'src/core/probe.ts', "export * from '../store/sqlite';"],
  ['core', 'src/core/store/probe.ts', "export * from '../../store/mongo';"],
  ['core', 'src/core/probe.ts', "export * from '../middleware/require-api-key';"],
  ['core', 'src/core/probe.ts', "export * from '../latchkey';"],
  ['http', 'src/http/pages/probe.ts', "export * from '../../store/sqlite';"],
  ['http', 'src/http/rest/probe.ts', "export * from '../../app';"],
  ['store', 'src/store/sqlite/probe.ts', "export * from '../../http/pages/render';"],
  ['middleware', 'src/middleware/probe.ts', "export * from '../store/sqlite';"],
  ['library', 'src/latchkey-api.ts', "export * from './http/pages/render';"],
];
const downward: [file: string, code: string][] = [
  ['src/core/probe.ts', "export * from './store';"],
  ['src/core/probe.ts', "export * from '../logger';"],
  ['src/store/sqlite/probe.ts', "export * from '../../core/token';"],
  ['src/middleware/probe.ts', "export * from '../core/validator';"],
  ['src/latchkey.ts', "export * from './store/sqlite';"],
  ['src/http/pages/probe.ts', "export type { Latchkey } from '../../latchkey';"],
  ['src/http/rest/probe.ts', "export * from '../../middleware/require-api-key';"],
  ['src/client/probe.ts', "export * from '../http/rest/wire-schemas';"],
  ['src/app.ts', "export * from './store/mongo';"],
];
const frameworks = ['express', 'mongoose', 'ejs', 'better-sqlite3', 'express-session'];

describe('layer rule', () => {
  const upwardAnswers = upward.map(([, file, code]) => layerErrors(file, code));
  const downwardAnswers = downward.map(([file, code]) => layerErrors(file, code));
  const frameworkAnswers = frameworks.map((pkg) =>
    layerErrors('src/core/probe.ts', `import '${pkg}';`),
  );

  it.each(upward.map((c, i) => [...c, i] as const))(
    'refuses an upward import from %s (%s: %s)',
    (layer, _file, _code, i) => {
      const errors = upwardAnswers[i]!();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^${layer} must not import`));
    },
  );

  it('keeps the core free of frameworks and drivers', () => {
    frameworks.forEach((pkg, i) => {
      expect(frameworkAnswers[i]!()).toEqual([
        `the core is framework-free: it must not import '${pkg}'.`,
      ]);
    });
  });

  it.each(downward.map((c, i) => [...c, i] as const))(
    'lets a downward import through (%s: %s)',
    (_file, _code, i) => {
      expect(downwardAnswers[i]!()).toEqual([]);
    },
  );
});
