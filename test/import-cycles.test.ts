import fs from 'node:fs';
import path from 'node:path';

// ARCHITECTURE.md promises arrows that only point down: no module of src/ may reach itself
// through its imports (type-only imports included, since they tie the files' meaning too).
const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/g;

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => resolve(file, m[1]!))
      .filter((t): t is string => t !== null);
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, as the files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        found.push(stack.slice(stack.indexOf(next)));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('imports in src/', () => {
  it('form no cycle', () => {
    const named = cycles(importGraph()).map((c) => c.map((f) => path.relative(SRC, f)));
    expect(named).toEqual([]);
  });

  it('are all read by the check (a file importing another is seen)', () => {
    const graph = importGraph();
    const latchkey = graph.get(path.join(SRC, 'latchkey.ts')) ?? [];
    expect(latchkey).toContain(path.join(SRC, 'core', 'validator.ts'));
    const loop = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(cycles(loop)).toEqual([['a', 'b', 'c']]);
  });
});
